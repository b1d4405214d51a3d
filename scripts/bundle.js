// `npm run build`: the shipped CLI as an ESM bundle for Node, built by esbuild (tsc only
// type-checks). Split into chunks, so each subcommand's modules (which src/cli/commands/*
// load with import()) stay out of `meshbot --help` and the other commands.
//   node scripts/bundle.js [--outdir DIR]   (default dist; the bench scripts are bundled too)
// Output: DIR/meshbot.js (run by bin/meshbot.js), DIR/chunks/, source maps, DIR/meta.json.
// The bundle finds proto/ and scenarios/ at run time above itself (src/project-paths.ts).
import { build } from 'esbuild';
import { existsSync, readdirSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { outdir: { type: 'string', default: 'dist' } } });
const outdir = values.outdir;

// Start clean, so no chunk of an earlier build lingers; never empty a directory that is not a build.
if (existsSync(outdir) && readdirSync(outdir).length > 0 && !existsSync(`${outdir}/meta.json`)) {
  throw new Error(`${outdir} is not empty and holds no earlier build (meta.json): not removing it`);
}
await rm(outdir, { recursive: true, force: true });
const result = await build({
  entryPoints: {
    meshbot: 'src/cli.ts',
    'bench/endpoints': 'bench/endpoints.ts',
    'bench/sandbox-start': 'bench/sandbox-start.ts',
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
  // Bundled CommonJS dependencies call require() for Node's built-ins.
  banner: {
    js: "import{createRequire as __mbRequire}from'node:module';const require=__mbRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
await writeFile(`${outdir}/meta.json`, JSON.stringify(result.metafile));
