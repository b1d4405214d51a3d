/**
 * A scale test in a process of its own, for the crash test: it prints one JSON line per
 * progress event on stdout, so the parent can kill it (SIGKILL) at a chosen moment.
 * Usage: node --import ./register-ts-loader.mjs run-scale-test-child.ts KUBECONFIG DESTINATION TARGET
 */
import { openAdapters } from '../../../../src/adapters/open-adapters.js';
import { parseWorkloadTarget } from '../../../../src/grammar/targets.js';
import { runScaleTestStep } from '../../../../src/steps/scale-test/run-scale-test-step.js';

const [kubeconfig, destination, target] = process.argv.slice(2);
if (!kubeconfig || !destination || !target) throw new Error('usage: KUBECONFIG DESTINATION TARGET');
const adapters = await openAdapters({ kubeconfig, destination, timeoutMs: 8000 });
const result = await runScaleTestStep(
  {
    target: parseWorkloadTarget(target),
    requestedBy: 'child',
    settings: { stageTimeoutMs: 60_000, overallTimeoutMs: 120_000 },
    onProgress: (e) => process.stdout.write(`${JSON.stringify(e)}\n`),
  },
  adapters,
);
process.stdout.write(`${JSON.stringify({ type: 'result', status: result.status })}\n`);
await adapters.close();
