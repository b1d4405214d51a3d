/**
 * Benchmark of meshbot's start-up as a person or a script sees it: whole processes of the
 * built CLI (node bin/meshbot.js, the bundle), spawned and waited for, RUNS times each, the
 * commands interleaved so that load from elsewhere falls on all of them alike. Prints, side by
 * side, the median and p95 of wall time (spawn to exit) and of peak RSS, and the median CPU
 * time (user + system: what a loaded machine disturbs least), against the aims:
 *   meshbot --help                                         median < 150 ms
 *   meshbot endpoints web-svc.emojivoto --destination ...  median < 300 ms
 *   meshbot endpoints web-svc.emojivoto (port-forward)     median < 450 ms
 * `node -e 0` is measured beside them: what Node itself costs on this machine now (and without
 * NODE_EXTRA_CA_CERTS when it is set: Node 20 reads those certificates at every start).
 * The sandbox (scenario emojivoto) runs in this process. Peak RSS comes from each child's own
 * process.resourceUsage() (maxRSS, CPU times), written at exit by a small preload (--import).
 *
 * Run: npm run bench:cli   or   node dist/bench/cli-startup.js [--runs 10] [--node PATH] [--cli PATH]
 * (--cli: another build's bin/meshbot.js, e.g. an earlier commit's, against the same sandbox).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { projectRoot } from '../src/project-paths.js';
import { startSandbox } from '../src/sandbox/start-sandbox.js';
import { quantile } from './quantile.js';

const PRELOAD = `import { writeFileSync } from 'node:fs';
process.on('exit', () => {
  const u = process.resourceUsage();
  writeFileSync(process.env.MESHBOT_BENCH_RSS_FILE, \`\${u.maxRSS} \${u.userCPUTime + u.systemCPUTime}\`);
});
`;
const CHILD_TIMEOUT_MS = 30_000;

interface Case {
  label: string;
  args: string[];
  /** Variables left out of the child's environment. */
  unset?: string[];
  /** Median wall-time aim, ms. */
  aimMs?: number;
}

interface Sample {
  wallMs: number;
  rssKb: number;
  /** User + system CPU time of the process, ms: less disturbed than wall time by a loaded machine. */
  cpuMs: number;
}

/** Runs one process to its end; rejects on a non-zero exit, a signal or the time limit. */
async function runOnce(
  node: string,
  preload: string,
  rssFile: string,
  args: string[],
  unset: string[] = [],
): Promise<Sample> {
  await rm(rssFile, { force: true });
  const env: NodeJS.ProcessEnv = { ...process.env, MESHBOT_BENCH_RSS_FILE: rssFile, NO_COLOR: '1' };
  for (const name of unset) delete env[name];
  const t0 = performance.now();
  const child = spawn(node, ['--import', pathToFileURL(preload).href, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env,
    timeout: CHILD_TIMEOUT_MS,
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (c, s) => resolve([c, s]));
  });
  const wallMs = performance.now() - t0;
  if (code !== 0) {
    throw new Error(`${args.join(' ')}: exit ${code ?? signal}${stderr ? `: ${stderr.trim()}` : ''}`);
  }
  const [rssKb, cpuUs] = (await readFile(rssFile, 'utf8')).split(' ').map(Number);
  return { wallMs, rssKb: rssKb!, cpuMs: cpuUs! / 1000 };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '10' },
      node: { type: 'string', default: process.execPath },
      cli: { type: 'string', default: join(projectRoot(), 'bin', 'meshbot.js') },
    },
  });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1)
    throw new Error(`--runs: expected a whole number >= 1, got ${values.runs}`);
  const node = values.node;
  const cli = values.cli;
  const work = await mkdtemp(join(tmpdir(), 'meshbot-bench-cli-'));
  const preload = join(work, 'report-peak-rss.mjs');
  const rssFile = join(work, 'maxrss');
  await writeFile(preload, PRELOAD);
  const loadBefore = loadavg()[0] ?? NaN;
  const sandbox = await startSandbox({ scenario: 'emojivoto', podReadyDelayMs: 0 });
  try {
    const target = 'web-svc.emojivoto';
    const cases: Case[] = [
      { label: 'node -e 0 (Node itself)', args: ['-e', '0'] },
      // Node 20 reads the certificates NODE_EXTRA_CA_CERTS names when it starts, before any
      // script (Node 22+ when TLS first needs them): part of every figure below when it is set.
      ...(process.env['NODE_EXTRA_CA_CERTS']
        ? [{ label: '  without NODE_EXTRA_CA_CERTS', args: ['-e', '0'], unset: ['NODE_EXTRA_CA_CERTS'] }]
        : []),
      { label: 'meshbot --help', args: [cli, '--help'], aimMs: 150 },
      {
        label: 'meshbot endpoints --destination',
        args: [
          cli,
          'endpoints',
          target,
          '--kubeconfig',
          sandbox.kubeconfig,
          '--destination',
          sandbox.destination,
        ],
        aimMs: 300,
      },
      {
        label: 'meshbot endpoints (port-forward)',
        args: [cli, 'endpoints', target, '--kubeconfig', sandbox.kubeconfig],
        aimMs: 450,
      },
    ];
    const samples = cases.map((): Sample[] => []);
    // One warm-up round (file cache, the sandbox's first answers), then the measured rounds.
    for (let round = 0; round <= runs; round++) {
      for (const [i, c] of cases.entries()) {
        const s = await runOnce(node, preload, rssFile, c.args, c.unset);
        if (round > 0) samples[i]!.push(s);
      }
    }
    const loadAfter = loadavg()[0] ?? NaN;

    const ms = (v: number): string => `${v.toFixed(0)} ms`.padStart(9);
    const mb = (kb: number): string => `${(kb / 1024).toFixed(0)} MB`.padStart(8);
    const out: string[] = [
      `meshbot start-up: whole processes of the built CLI, ${runs} runs each (interleaved, after one warm-up round)`,
      `node ${node === process.execPath ? process.version : node}; ${cli}; load average ${loadBefore.toFixed(1)} at start, ${loadAfter.toFixed(1)} at end; sandbox scenario emojivoto in the bench process`,
      process.env['NODE_EXTRA_CA_CERTS']
        ? 'NODE_EXTRA_CA_CERTS is set here, and kept for every process but the one line that leaves it out'
        : 'NODE_EXTRA_CA_CERTS is not set',
      '',
      `${'command'.padEnd(34)}${'wall median'.padStart(12)}${'p95'.padStart(9)}${'CPU median'.padStart(12)}${'RSS median'.padStart(12)}${'p95'.padStart(8)}   aim (median wall)`,
    ];
    let missed = 0;
    for (const [i, c] of cases.entries()) {
      const wall = samples[i]!.map((s) => s.wallMs).sort((a, b) => a - b);
      const rss = samples[i]!.map((s) => s.rssKb).sort((a, b) => a - b);
      const cpu = samples[i]!.map((s) => s.cpuMs).sort((a, b) => a - b);
      const median = quantile(wall, 0.5);
      let verdict = '';
      if (c.aimMs !== undefined) {
        const met = median < c.aimMs;
        if (!met) missed++;
        verdict = `< ${c.aimMs} ms: ${met ? 'met' : 'NOT met'}`;
      }
      out.push(
        `${c.label.padEnd(34)}${ms(median).padStart(12)}${ms(quantile(wall, 0.95))}${ms(quantile(cpu, 0.5)).padStart(12)}${mb(quantile(rss, 0.5)).padStart(12)}${mb(quantile(rss, 0.95))}   ${verdict}`,
      );
    }
    out.push('', missed === 0 ? 'every aim met' : `${missed} aim(s) not met`);
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    await sandbox.stop();
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`benchmark failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
