/**
 * Benchmark of `meshbot endpoints`: time from command start (opening the adapters) to the
 * result, for a 50-endpoint service on the sandbox, over 20 runs in process, through the direct
 * address and through the port-forward; beside the fixed 5 s `linkerd diagnostics endpoints`
 * waits. Run: npm run bench:endpoints
 */
import { performance } from 'node:perf_hooks';
import { applyUpdate, emptyEndpointSet } from '../src/adapters/destination/apply-updates.js';
import { openAdapters } from '../src/adapters/open-adapters.js';
import type { ClusterOptions } from '../src/adapters/cluster-options.js';
import { startSandbox } from '../src/sandbox/start-sandbox.js';
import { runEndpointsStep } from '../src/steps/endpoints/run-endpoints-step.js';
import { quantile } from './quantile.js';

const ENDPOINTS = 50;
const RUNS = 20;
const LINKERD_FIXED_WAIT_MS = 5000;
const TARGET = { service: 'bench-svc', namespace: 'bench' };
const AUTHORITY = 'bench-svc.bench.svc.cluster.local:80';

/** Resolves once the destination serves all endpoints (a stream event, not a timer). */
async function destinationHas(options: ClusterOptions, count: number): Promise<void> {
  const adapters = await openAdapters(options);
  try {
    await new Promise<void>((resolve, reject) => {
      const state = emptyEndpointSet();
      const close = adapters.destination.watch(
        AUTHORITY,
        (u) => {
          applyUpdate(state, u);
          if (state.addresses.size === count) {
            close();
            resolve();
          }
        },
        { onError: reject },
      );
    });
  } finally {
    await adapters.close();
  }
}

async function measure(label: string, options: ClusterOptions): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const adapters = await openAdapters(options);
    try {
      const result = await runEndpointsStep(TARGET, adapters);
      if (result.status !== 'pass' || result.data.ports[0]?.diff.matching.length !== ENDPOINTS) {
        throw new Error(`${label}: run ${i + 1} gave ${result.status}: ${result.summary}`);
      }
      times.push(performance.now() - t0);
    } finally {
      await adapters.close();
    }
  }
  return times.sort((a, b) => a - b);
}

async function main(): Promise<void> {
  const sandbox = await startSandbox({
    scenario: {
      name: 'bench-endpoints',
      namespaces: ['bench'],
      linkerd: {},
      deployments: [
        {
          name: 'bench',
          namespace: 'bench',
          replicas: ENDPOINTS,
          meshed: true,
          containerPorts: [{ name: 'http', port: 8080 }],
        },
      ],
      services: [
        {
          name: 'bench-svc',
          namespace: 'bench',
          selector: { app: 'bench' },
          ports: [{ name: 'http', port: 80, targetPort: 8080 }],
        },
      ],
    },
    podReadyDelayMs: 0,
  });
  try {
    const direct: ClusterOptions = {
      kubeconfig: sandbox.kubeconfig,
      destination: sandbox.destination,
      timeoutMs: 10_000,
    };
    const portForward: ClusterOptions = { kubeconfig: sandbox.kubeconfig, timeoutMs: 10_000 };
    await destinationHas(direct, ENDPOINTS);
    const rows: Array<[string, number[]]> = [
      ['direct address', await measure('direct', direct)],
      ['port-forward', await measure('port-forward', portForward)],
    ];
    const fmt = (ms: number): string => `${ms.toFixed(0).padStart(6)} ms`;
    process.stdout.write(
      `meshbot endpoints, ${ENDPOINTS}-endpoint service on the sandbox, ${RUNS} runs each, command start to result (in process)\n\n`,
    );
    process.stdout.write(
      `${'transport'.padEnd(16)}${'median'.padStart(9)}${'p95'.padStart(9)}${'min'.padStart(9)}${'max'.padStart(9)}\n`,
    );
    for (const [name, t] of rows) {
      process.stdout.write(
        `${name.padEnd(16)}${fmt(quantile(t, 0.5))}${fmt(quantile(t, 0.95))}${fmt(t[0] ?? NaN)}${fmt(t[t.length - 1] ?? NaN)}\n`,
      );
    }
    process.stdout.write(
      `${'linkerd diag.'.padEnd(16)}${fmt(LINKERD_FIXED_WAIT_MS)}${fmt(LINKERD_FIXED_WAIT_MS)}   (a fixed 5 s timer after the port-forward)\n`,
    );
  } finally {
    await sandbox.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`benchmark failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
