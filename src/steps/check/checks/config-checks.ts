/**
 * Category linkerd-config: Linkerd's CustomResourceDefinitions are present, and the
 * proxy-injector's MutatingWebhookConfiguration is configured.
 */
import type {
  V1CustomResourceDefinition,
  V1MutatingWebhook,
  V1MutatingWebhookConfiguration,
} from '@kubernetes/client-node';
import type { CheckDefinition, CheckOutcome } from '../check-types.js';

/** The CRDs of Linkerd's `linkerd-crds` chart (charts/linkerd-crds/templates, Linkerd 2.19/2.20). */
export const LINKERD_CRDS: readonly string[] = [
  'authorizationpolicies.policy.linkerd.io',
  'egressnetworks.policy.linkerd.io',
  'httplocalratelimitpolicies.policy.linkerd.io',
  'httproutes.policy.linkerd.io',
  'meshtlsauthentications.policy.linkerd.io',
  'networkauthentications.policy.linkerd.io',
  'serverauthorizations.policy.linkerd.io',
  'servers.policy.linkerd.io',
  'serviceprofiles.linkerd.io',
  'externalworkloads.workload.linkerd.io',
];

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
      details: missing.map((name) => `missing: ${name}`),
    };
  }
  return { status: 'pass', message: `all ${expected.length} Linkerd CRDs present` };
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
      return evaluateCrds(await ctx.reader.listCustomResourceDefinitions());
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
