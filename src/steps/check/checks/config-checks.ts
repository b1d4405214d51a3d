/**
 * Category linkerd-config: Linkerd's CustomResourceDefinitions are present, and the
 * proxy-injector's MutatingWebhookConfiguration is configured.
 */
import type {
  V1CustomResourceDefinition,
  V1MutatingWebhook,
  V1MutatingWebhookConfiguration,
} from '@kubernetes/client-node';
import type { CheckContext } from '../check-context.js';
import type { CheckDefinition, CheckOutcome } from '../check-types.js';
import { compareTuples, parseLinkerdVersion } from '../versions.js';

/**
 * The CRDs of Linkerd's `linkerd-crds` chart (charts/linkerd-crds/templates), with the release
 * that added each: the first seven are in every supported release (stable-2.14 has exactly them).
 */
export const LINKERD_CRD_RELEASES: ReadonlyArray<{
  name: string;
  stable?: [number, number];
  edge?: [number, number, number];
}> = [
  { name: 'authorizationpolicies.policy.linkerd.io' },
  { name: 'httproutes.policy.linkerd.io' },
  { name: 'meshtlsauthentications.policy.linkerd.io' },
  { name: 'networkauthentications.policy.linkerd.io' },
  { name: 'serverauthorizations.policy.linkerd.io' },
  { name: 'servers.policy.linkerd.io' },
  { name: 'serviceprofiles.linkerd.io' },
  { name: 'externalworkloads.workload.linkerd.io', stable: [2, 15], edge: [24, 1, 1] },
  { name: 'egressnetworks.policy.linkerd.io', stable: [2, 17], edge: [24, 10, 4] },
  { name: 'httplocalratelimitpolicies.policy.linkerd.io', stable: [2, 17], edge: [24, 11, 2] },
];

/** Every CRD of the newest release. */
export const LINKERD_CRDS: readonly string[] = LINKERD_CRD_RELEASES.map((c) => c.name);

/**
 * The CRDs a control plane of `version` installs: an edge release is compared with the edge
 * that added each CRD, a stable/enterprise one with the 2.x release; an unknown version
 * expects the seven every release has.
 */
export function expectedCrds(version: string | undefined): string[] {
  const v = version ? parseLinkerdVersion(version) : undefined;
  return LINKERD_CRD_RELEASES.filter((c) => {
    if (!c.stable && !c.edge) return true;
    if (!v) return false;
    if (v.channel === 'edge') return c.edge !== undefined && compareTuples(v.numbers, c.edge) >= 0;
    return c.stable !== undefined && compareTuples(v.numbers, c.stable) >= 0;
  }).map((c) => c.name);
}

export function evaluateCrds(
  crds: readonly V1CustomResourceDefinition[],
  expected: readonly string[] = LINKERD_CRDS,
): CheckOutcome {
  const present = new Set(crds.map((c) => c.metadata?.name));
  const missing = expected.filter((name) => !present.has(name));
  if (missing.length > 0) {
    return {
      status: 'fail',
      message: `missing ${missing.length} of ${expected.length} Linkerd CRDs: ${missing.join(', ')}`,
      hint: 'Install or upgrade the CRDs first: linkerd install --crds | kubectl apply -f - (or the linkerd-crds Helm chart).',
    };
  }
  return { status: 'pass', message: `all ${expected.length} Linkerd CRDs present` };
}

/** The Linkerd release of the control plane (`linkerdVersion` of linkerd-config, else the control-plane proxies'). */
async function controlPlaneRelease(ctx: CheckContext): Promise<string | undefined> {
  try {
    const config = await ctx.linkerdConfig();
    if (config.linkerdVersion) return config.linkerdVersion;
    return (await ctx.controlPlaneVersion())?.version;
  } catch {
    return undefined;
  }
}

/** The proxy-injector's webhook: the one whose service is `linkerd-proxy-injector` in the control-plane namespace. */
export function findProxyInjectorWebhook(
  configs: readonly V1MutatingWebhookConfiguration[],
  controlPlaneNamespace: string,
): { config: V1MutatingWebhookConfiguration; webhook: V1MutatingWebhook } | undefined {
  for (const config of configs) {
    for (const webhook of config.webhooks ?? []) {
      const svc = webhook.clientConfig?.service;
      if (svc?.name === 'linkerd-proxy-injector' && svc.namespace === controlPlaneNamespace)
        return { config, webhook };
    }
  }
  const byName = configs.find((c) => c.metadata?.name === 'linkerd-proxy-injector-webhook-config');
  const webhook = byName?.webhooks?.[0];
  return byName && webhook ? { config: byName, webhook } : undefined;
}

export const configChecks: CheckDefinition[] = [
  {
    id: 'l5d-existence-crd',
    category: 'linkerd-config',
    description: 'control plane CustomResourceDefinitions exist',
    hintAnchor: 'l5d-existence-crd',
    async run(ctx) {
      const [crds, version] = await Promise.all([
        ctx.reader.listCustomResourceDefinitions(),
        controlPlaneRelease(ctx),
      ]);
      const outcome = evaluateCrds(crds, expectedCrds(version));
      return outcome.status === 'pass'
        ? {
            ...outcome,
            message: `${outcome.message}${version ? ` for ${version}` : ' (control-plane version unknown: checked those of every release)'}`,
          }
        : outcome;
    },
  },
  {
    id: 'l5d-existence-mwc',
    category: 'linkerd-config',
    description: 'control plane MutatingWebhookConfigurations exist',
    hintAnchor: 'l5d-existence-mwc',
    async run(ctx) {
      const ns = ctx.options.controlPlaneNamespace;
      const found = findProxyInjectorWebhook(await ctx.reader.listMutatingWebhookConfigurations(), ns);
      if (!found) {
        return {
          status: 'fail',
          message: `no MutatingWebhookConfiguration sends pods to service linkerd-proxy-injector in ${ns}`,
          hint: 'Without it new pods are not injected with the proxy; reinstall or upgrade the control plane.',
        };
      }
      if (!found.webhook.clientConfig?.caBundle) {
        return {
          status: 'fail',
          message: `webhook ${found.webhook.name} in ${found.config.metadata?.name} has no caBundle`,
          hint: 'The API server cannot verify the injector without it; reinstall the control plane or let cert-manager inject the CA.',
        };
      }
      return {
        status: 'pass',
        message: `${found.config.metadata?.name} (webhook ${found.webhook.name}, failurePolicy ${found.webhook.failurePolicy ?? 'Fail'})`,
      };
    },
  },
];
