/** Category kubernetes-api and kubernetes-version: the API answers, and runs a version Linkerd supports. */
import type { CheckDefinition } from '../check-types.js';
import { evaluateKubeVersion, formatTuple, KUBERNETES_VERSION_RANGE } from '../versions.js';

export const kubernetesChecks: CheckDefinition[] = [
  {
    id: 'k8s-api',
    category: 'kubernetes-api',
    description: 'can query the Kubernetes API',
    hintAnchor: 'k8s-api',
    fatal: true,
    async run(ctx) {
      const v = await ctx.reader.serverVersion();
      return { status: 'pass', message: `${ctx.reader.server} answers (${v.gitVersion})` };
    },
  },
  {
    id: 'k8s-version',
    category: 'kubernetes-version',
    description: 'is running the minimum Kubernetes API version',
    hintAnchor: 'k8s-version',
    async run(ctx) {
      const info = await ctx.reader.serverVersion();
      const verdict = evaluateKubeVersion(info);
      if (verdict.status === 'pass') {
        return { status: 'pass', message: `Kubernetes ${formatTuple(verdict.version)}` };
      }
      return {
        status: verdict.status,
        message: verdict.message,
        hint: `Linkerd 2.19 supports Kubernetes ${formatTuple(KUBERNETES_VERSION_RANGE.min)} and newer, Linkerd 2.20 ${formatTuple(KUBERNETES_VERSION_RANGE.current)} and newer: upgrade the cluster before upgrading Linkerd.`,
      };
    },
  },
];
