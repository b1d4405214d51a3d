/**
 * The shipped CLI is an esbuild bundle (scripts/bundle.js). Built here into a temporary
 * directory: `meshbot --help` from it lists every command, and what it loads at start (the
 * static import graph of its entry chunk) holds none of the heavy modules that only some
 * subcommands need; those stay behind import().
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { destinationProtoJson } from '../../src/adapters/destination/destination-proto-json.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));

interface Metafile {
  outputs: Record<
    string,
    {
      imports: { path: string; kind: string; external?: boolean }[];
      inputs: Record<string, { bytesInOutput: number }>;
    }
  >;
}

/** Inputs (source files) of every output chunk reachable from `entry` by static imports. */
function loadedAtStart(meta: Metafile, entry: string): string[] {
  const seen = new Set<string>();
  const queue = [entry];
  for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
    if (seen.has(next)) continue;
    seen.add(next);
    const output = meta.outputs[next];
    if (!output) throw new Error(`no output ${next} in the metafile`);
    for (const i of output.imports) if (i.kind === 'import-statement' && !i.external) queue.push(i.path);
  }
  return [...seen].flatMap((o) => Object.keys(meta.outputs[o]!.inputs));
}

describe('the bundle', () => {
  let outdir: string;
  let meta: Metafile;

  beforeAll(async () => {
    outdir = join(await mkdtemp(join(tmpdir(), 'meshbot-bundle-')), 'dist');
    await run(process.execPath, ['scripts/bundle.js', '--outdir', outdir], { cwd: root, timeout: 60_000 });
    meta = JSON.parse(await readFile(join(outdir, 'meta.json'), 'utf8')) as Metafile;
  }, 90_000);
  afterAll(async () => {
    if (outdir) await rm(join(outdir, '..'), { recursive: true, force: true });
  });

  it('loads no Slack app, chart renderer, sandbox, Kubernetes or gRPC client, nor zod, at start', () => {
    const entry = Object.keys(meta.outputs).find((o) => o.endsWith('/meshbot.js'));
    expect(entry).toBeDefined();
    const inputs = loadedAtStart(meta, entry!);
    expect(inputs).toContain('src/cli.ts');
    const heavy = inputs.filter((i) =>
      /node_modules\/(@slack\/bolt|@slack\/web-api|chart\.js|@napi-rs|prom-client|@kubernetes|@grpc|pino|ws|zod)\/|^src\/(sandbox|adapters\/kube|steps\/(endpoints|check|metrics))\//.test(
        i,
      ),
    );
    expect(heavy).toEqual([]);
    // Node 20 compiles these built-ins when first imported (about 10 ms for node:crypto).
    const builtins = meta.outputs[entry!]!.imports.filter((i) => i.external).map((i) => i.path);
    expect(builtins.filter((b) => /^(node:)?(crypto|stream|http|https|net|tls)$/.test(b))).toEqual([]);
  });

  it('opens adapters, reads Kubernetes and port-forwards without client-node (it loads on first use of what needs it)', () => {
    const chunkOf = (input: string): string => {
      const chunk = Object.keys(meta.outputs).find((o) =>
        Object.keys(meta.outputs[o]!.inputs).includes(input),
      );
      expect([input, chunk]).toEqual([input, expect.any(String)]);
      return chunk!;
    };
    const adapters = loadedAtStart(meta, chunkOf('src/adapters/open-adapters.ts'));
    expect(adapters).toContain('src/adapters/kube/create-kube-adapter.ts');
    expect(adapters.filter((i) => /node_modules\/(@kubernetes|ws)\//.test(i))).toEqual([]);
    // The config file's reader (YAML, node-cron's parser for reports) loads only with --config.
    const openCluster = loadedAtStart(meta, chunkOf('src/cli/open-cluster-adapters.ts'));
    expect(openCluster).toContain('src/adapters/open-adapters.ts');
    expect(openCluster.filter((i) => /node_modules\/(yaml|node-cron)\/|^src\/config\/load-/.test(i))).toEqual(
      [],
    );
    const tunnel = loadedAtStart(meta, chunkOf('src/adapters/kube/port-forward-tunnel.ts'));
    expect(tunnel.filter((i) => /node_modules\/@kubernetes\//.test(i))).toEqual([]);
  });

  it('keeps of zod only the parts in use (`import * as z`), not the whole namespace, in what endpoints loads', () => {
    const chunk = Object.keys(meta.outputs).find((o) =>
      Object.keys(meta.outputs[o]!.inputs).includes('src/cli/open-cluster-adapters.ts'),
    )!;
    const seen = new Set<string>();
    const queue = [chunk];
    for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
      if (seen.has(next)) continue;
      seen.add(next);
      for (const i of meta.outputs[next]!.imports)
        if (i.kind === 'import-statement' && !i.external) queue.push(i.path);
    }
    let zodBytes = 0;
    for (const o of seen) {
      for (const [input, { bytesInOutput }] of Object.entries(meta.outputs[o]!.inputs)) {
        if (input.includes('node_modules/zod/')) zodBytes += bytesInOutput;
      }
    }
    // All of zod is about 470 KB minified; what the adapters use, about 110 KB.
    expect(zodBytes).toBeGreaterThan(0);
    expect(zodBytes).toBeLessThan(200_000);
  });

  it('carries the destination API as destination-proto-json.ts parses proto/ at run time, no .proto parsed at start', async () => {
    const chunk = Object.keys(meta.outputs).find((o) =>
      Object.keys(meta.outputs[o]!.inputs).includes('src/adapters/destination/destination-proto-json.ts'),
    );
    expect(chunk).toBeDefined();
    const code = await readFile(join(root, chunk!), 'utf8');
    // esbuild quotes the JSON text with single quotes: its double quotes stay as they are.
    expect(code).toContain(`JSON.parse('${JSON.stringify(destinationProtoJson())}')`);
  });

  it('--help lists every command with its description, from the bundle alone', async () => {
    const { stdout } = await run(process.execPath, [join(outdir, 'meshbot.js'), '--help'], {
      timeout: 30_000,
    });
    for (const command of ['sandbox', 'endpoints|ep', 'serve', 'demo', 'check', 'metrics', 'scale-test']) {
      expect(stdout).toMatch(new RegExp(`^  ${command.replace('|', '\\|')} .*\\S`, 'm'));
    }
    expect(stdout).toMatch(/Compare Kubernetes' endpoints/);
  }, 30_000);

  it('switches source maps on for the commands that write logs (serve, sandbox) only', async () => {
    // The shim beside this build, as the package has it (bin/ next to dist/).
    const bin = join(outdir, '..', 'bin', 'meshbot.js');
    await mkdir(join(outdir, '..', 'bin'), { recursive: true });
    await copyFile(join(root, 'bin', 'meshbot.js'), bin);
    const probe = join(outdir, '..', 'report-source-maps.mjs');
    await writeFile(
      probe,
      "process.on('exit', () => process.stderr.write(`sourceMapsEnabled=${process.sourceMapsEnabled}\\n`));\n",
    );
    const enabled = async (...args: string[]): Promise<string> => {
      const { stderr } = await run(process.execPath, ['--import', pathToFileURL(probe).href, bin, ...args], {
        timeout: 30_000,
      });
      return /sourceMapsEnabled=(\w+)/.exec(stderr)?.[1] ?? stderr;
    };
    expect(await enabled('serve', '--help')).toBe('true');
    expect(await enabled('sandbox', '--help')).toBe('true');
    expect(await enabled('endpoints', '--help')).toBe('false');
    expect(await enabled('--help')).toBe('false');
  }, 60_000);

  it('keeps source maps that name our TypeScript sources only (no source text, no node_modules)', async () => {
    const map = JSON.parse(await readFile(join(outdir, 'meshbot.js.map'), 'utf8')) as {
      sources: string[];
      sourcesContent?: unknown;
    };
    expect(map.sources.some((s) => s.endsWith('src/cli.ts'))).toBe(true);
    expect(map.sources.filter((s) => s.includes('node_modules/'))).toEqual([]);
    expect(map.sourcesContent).toBeUndefined();
  });
});
