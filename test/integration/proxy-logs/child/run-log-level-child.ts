/**
 * A raised proxy log level in a process of its own, for the crash test: one JSON line on stdout
 * once every pod is set (with the record), so the parent can kill it (SIGKILL) mid-way.
 * Usage: node --import ../../scale-test/child/register-ts-loader.mjs run-log-level-child.ts KUBECONFIG TARGET LEVEL
 */
import { openAdapters } from '../../../../src/adapters/open-adapters.js';
import { parseWorkloadTarget } from '../../../../src/grammar/targets.js';
import { runProxyLogLevel } from '../../../../src/steps/proxy-log-level/run-proxy-log-level.js';

const [kubeconfig, target, level] = process.argv.slice(2);
if (!kubeconfig || !target || !level) throw new Error('usage: KUBECONFIG TARGET LEVEL');
const adapters = await openAdapters({ kubeconfig, timeoutMs: 8000 }, 'child-cluster');
const result = await runProxyLogLevel(
  { name: 'proxy-log-level', target: parseWorkloadTarget(target), level, forSeconds: 600 },
  adapters,
  {
    requestedBy: 'child',
    settings: { heartbeatMs: 500 },
    onRaised: (record) => process.stdout.write(`${JSON.stringify({ type: 'raised', record })}\n`),
  },
);
process.stdout.write(`${JSON.stringify({ type: 'result', status: result.status })}\n`);
await adapters.close();
