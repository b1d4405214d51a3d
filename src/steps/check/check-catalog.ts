/** Every category and check of `meshbot check`, in the order they are shown (docs/check.md lists them). */
import { validateCheckGraph } from './check-graph.js';
import type { CategoryDefinition, CheckDefinition } from './check-types.js';
import { configChecks } from './checks/config-checks.js';
import { dataPlaneChecks } from './checks/data-plane-checks.js';
import { destinationChecks } from './checks/destination-checks.js';
import { existenceChecks } from './checks/existence-checks.js';
import { identityChecks } from './checks/identity-checks.js';
import { kubernetesChecks } from './checks/kubernetes-checks.js';
import { webhookTlsChecks } from './checks/webhook-tls-checks.js';

export const CHECK_CATEGORIES: readonly CategoryDefinition[] = [
  { id: 'kubernetes-api', title: 'kubernetes-api', dependsOn: [] },
  { id: 'kubernetes-version', title: 'kubernetes-version', dependsOn: ['kubernetes-api'] },
  { id: 'linkerd-existence', title: 'linkerd-existence', dependsOn: ['kubernetes-api'] },
  { id: 'linkerd-config', title: 'linkerd-config', dependsOn: ['kubernetes-api'] },
  { id: 'linkerd-identity', title: 'linkerd-identity', dependsOn: ['linkerd-existence'] },
  {
    id: 'linkerd-webhooks-and-apisvc-tls',
    title: 'linkerd-webhooks-and-apisvc-tls',
    dependsOn: ['linkerd-existence'],
  },
  { id: 'linkerd-destination', title: 'linkerd-destination', dependsOn: ['linkerd-existence'] },
  {
    id: 'linkerd-data-plane',
    title: 'linkerd-data-plane',
    dependsOn: ['linkerd-existence'],
    when: (opts) => opts.proxy || opts.namespace !== undefined,
  },
];

/** Validated as it loads: a cycle or an unknown `requires` would make `check` wait forever. */
export const CHECKS: readonly CheckDefinition[] = validateCheckGraph(CHECK_CATEGORIES, [
  ...kubernetesChecks,
  ...existenceChecks,
  ...configChecks,
  ...identityChecks,
  ...webhookTlsChecks,
  ...destinationChecks,
  ...dataPlaneChecks,
]);
