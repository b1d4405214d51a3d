// `npm run build`: the shipped CLI as an ESM bundle for Node, built by esbuild (tsc only
// type-checks). Split into chunks, so each subcommand's modules (which src/cli/commands/*
// load with import()) stay out of `meshbot --help` and the other commands.
//   node scripts/bundle.js [--outdir DIR]   (default dist; the bench scripts are bundled too)
// Output: DIR/meshbot.js (run by bin/meshbot.js), DIR/chunks/, source maps, DIR/meta.json.
// The bundle finds proto/ and scenarios/ at run time above itself (src/project-paths.ts).
import { build } from 'esbuild';
import { decode, encode } from '@jridgewell/sourcemap-codec';
import { existsSync, readdirSync } from 'node:fs';
import { readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { outdir: { type: 'string', default: 'dist' } } });
const outdir = values.outdir;

// Start clean, so no chunk of an earlier build lingers; never empty a directory that is not a
// build: one of ours (meta.json) or the tsc output earlier versions built (src/cli.js).
const earlierBuild = existsSync(`${outdir}/meta.json`) || existsSync(`${outdir}/src/cli.js`);
if (existsSync(outdir) && readdirSync(outdir).length > 0 && !earlierBuild) {
  console.error(
    `${outdir} is not empty and holds no earlier meshbot build (meta.json): not removing it. ` +
      `Move it away, or build elsewhere with --outdir DIR.`,
  );
  process.exit(1);
}
await rm(outdir, { recursive: true, force: true });

// Bundled CommonJS dependencies call require() for Node's built-ins.
const banner = {
  js: "import{createRequire as __mbRequire}from'node:module';const require=__mbRequire(import.meta.url);",
};

/**
 * The destination API's descriptor, parsed from proto/ now by the module that parses it at run
 * time (src/adapters/destination/destination-proto-json.ts, built and run here), and put in
 * that module's place in the bundle: the CLI parses no .proto file when it starts.
 */
async function destinationProtoPlugin() {
  const source = 'src/adapters/destination/destination-proto-json.ts';
  const probe = `${outdir}/destination-proto-json.build.mjs`;
  await build({
    entryPoints: [source],
    outfile: probe,
    bundle: true,
    format: 'esm',
    platform: 'node',
    banner,
    logLevel: 'warning',
  });
  let json;
  try {
    json = (await import(pathToFileURL(resolve(probe)).href)).destinationProtoJson(resolve('proto'));
  } finally {
    await rm(probe, { force: true });
  }
  const contents = `export const destinationProtoJson = () => JSON.parse(${JSON.stringify(JSON.stringify(json))});\n`;
  return {
    name: 'destination-proto-json',
    setup(b) {
      b.onLoad({ filter: /[\\/]src[\\/]adapters[\\/]destination[\\/]destination-proto-json\.ts$/ }, () => ({
        contents,
        loader: 'js',
      }));
    },
  };
}

const result = await build({
  entryPoints: {
    meshbot: 'src/cli.ts',
    'bench/endpoints': 'bench/endpoints.ts',
    'bench/sandbox-start': 'bench/sandbox-start.ts',
    'bench/cli-startup': 'bench/cli-startup.ts',
    'bench/sweep': 'bench/sweep.ts',
  },
  outdir,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  keepNames: true,
  sourcemap: true,
  sourcesContent: false,
  legalComments: 'linked',
  metafile: true,
  // Native code stays outside the bundle, installed as a dependency (package.json).
  // bufferutil and utf-8-validate are ws's optional native helpers, not installed.
  external: ['@napi-rs/canvas', 'bufferutil', 'utf-8-validate'],
  // node-fetch's fallback URL class: Node's own (see scripts/node-url.js).
  alias: { 'whatwg-url': './scripts/node-url.js' },
  banner,
  plugins: [await destinationProtoPlugin()],
  logLevel: 'warning',
});
await writeFile(`${outdir}/meta.json`, JSON.stringify(result.metafile));
for (const file of Object.keys(result.metafile.outputs)) {
  if (file.endsWith('.map')) await keepOwnMappings(file);
}

/**
 * Node reads and holds the whole source map of every module it loads once source maps are on
 * (about 30 MB and a quarter of a second for `meshbot endpoints` on Node 20 with the full
 * maps). Stack traces need our own files, so the mappings into node_modules are cut: their
 * code is marked unmapped (a segment with no source), and the sources and names nothing
 * refers to any more are dropped. A chunk left with no source of ours (client-node, grpc-js,
 * zod...) loses its map and its sourceMappingURL: Node would still read the map and measure
 * the chunk's lines for nothing (most of the 15 ms that a Node 20 profile of `meshbot endpoints`
 * spent in maybeCacheSourceMap).
 */
async function keepOwnMappings(file) {
  const map = JSON.parse(await readFile(file, 'utf8'));
  const ours = map.sources.map(
    (s) =>
      !s.includes('node_modules/') &&
      // scripts/node-url.js is build glue (the whatwg-url alias), not a source of ours.
      !s.startsWith('../scripts/') &&
      !s.startsWith('../../scripts/'),
  );
  const sourceIndex = new Map();
  const nameIndex = new Map();
  const sources = [];
  const names = [];
  const lines = decode(map.mappings).map((line) => {
    const kept = [];
    for (const seg of line) {
      if (seg.length === 1 || !ours[seg[1]]) {
        // Unmapped from here on; one marker is enough for a run of them.
        if (kept.length > 0 && kept[kept.length - 1].length !== 1) kept.push([seg[0]]);
        continue;
      }
      if (!sourceIndex.has(seg[1])) sourceIndex.set(seg[1], sources.push(map.sources[seg[1]]) - 1);
      const out = [seg[0], sourceIndex.get(seg[1]), seg[2], seg[3]];
      if (seg.length === 5) {
        if (!nameIndex.has(seg[4])) nameIndex.set(seg[4], names.push(map.names[seg[4]]) - 1);
        out.push(nameIndex.get(seg[4]));
      }
      kept.push(out);
    }
    return kept;
  });
  if (sources.length === 0) {
    const js = file.slice(0, -'.map'.length);
    const code = await readFile(js, 'utf8');
    const reference = `//# sourceMappingURL=${js.slice(js.lastIndexOf('/') + 1)}.map\n`;
    if (!code.endsWith(reference)) throw new Error(`${js} does not end with its sourceMappingURL`);
    await writeFile(js, code.slice(0, -reference.length));
    await unlink(file);
    return;
  }
  await writeFile(file, JSON.stringify({ ...map, sources, names, mappings: encode(lines) }));
}
