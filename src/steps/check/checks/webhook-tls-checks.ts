/**
 * Category linkerd-webhooks-and-apisvc-tls: the certificate the API server trusts for the
 * proxy-injector webhook (its MutatingWebhookConfiguration's caBundle) is parseable, within
 * its validity period and valid for 60 more days.
 */
import { certificateLabel, parsePemBundle, type ParsedCertificate } from '../certificates.js';
import { CheckProblem, type CheckContext } from '../check-context.js';
import type { CheckDefinition } from '../check-types.js';
import { findProxyInjectorWebhook } from './config-checks.js';
import { evaluateExpiringSoon, evaluateTimeValidity } from './identity-checks.js';

const cache = new WeakMap<CheckContext, Promise<ParsedCertificate[]>>();

/** The certificates of the proxy-injector webhook's caBundle (read once per run). */
export function proxyInjectorCaBundle(ctx: CheckContext): Promise<ParsedCertificate[]> {
  let p = cache.get(ctx);
  if (!p) {
    p = (async () => {
      const ns = ctx.options.controlPlaneNamespace;
      const found = findProxyInjectorWebhook(await ctx.reader.listMutatingWebhookConfigurations(), ns);
      const bundle = found?.webhook.clientConfig?.caBundle;
      if (!found || !bundle) {
        throw new CheckProblem(
          `the proxy-injector webhook has no caBundle to check`,
          'Reinstall or upgrade the control plane so the webhook configuration carries its CA.',
        );
      }
      try {
        return parsePemBundle(Buffer.from(bundle, 'base64').toString('utf8'));
      } catch (err) {
        throw new CheckProblem(
          `caBundle of webhook ${found.webhook.name}: ${err instanceof Error ? err.message : String(err)}`,
          'The caBundle must be base64 of PEM certificates; reinstall the control plane or fix the cert-manager CA injection.',
        );
      }
    })();
    cache.set(ctx, p);
  }
  return p;
}

const VALID = 'l5d-proxy-injector-webhook-cert-valid';

export const webhookTlsChecks: CheckDefinition[] = [
  {
    id: VALID,
    category: 'linkerd-webhooks-and-apisvc-tls',
    description: 'proxy-injector webhook has valid cert',
    hintAnchor: 'l5d-proxy-injector-webhook-cert-valid',
    requires: ['l5d-existence-mwc'],
    async run(ctx) {
      const certs = await proxyInjectorCaBundle(ctx);
      const outcome = evaluateTimeValidity(certs, ctx.now, 'webhook');
      return outcome.status === 'pass'
        ? { ...outcome, details: certs.map((c) => `${certificateLabel(c)}: ${c.publicKeyAlgorithm}`) }
        : outcome;
    },
  },
  {
    id: 'l5d-proxy-injector-webhook-cert-not-expiring-soon',
    category: 'linkerd-webhooks-and-apisvc-tls',
    description: 'proxy-injector cert is valid for at least 60 days',
    hintAnchor: 'l5d-proxy-injector-webhook-cert-not-expiring-soon',
    requires: [VALID],
    run: async (ctx) =>
      evaluateExpiringSoon(await proxyInjectorCaBundle(ctx), ctx.now, 'webhook', ctx.certificateWarningDays),
  },
];
