/**
 * Category linkerd-identity: the trust anchors (ConfigMap linkerd-identity-trust-roots, key
 * ca-bundle.crt, one or more PEMs) and the issuer certificate (Secret linkerd-identity-issuer,
 * tls.crt or crt.pem): algorithm, validity window, 60 days of life left, and the issuer
 * signed by one of the anchors.
 */
import {
  algorithmProblem,
  certificateLabel,
  evaluateValidity,
  EXPIRY_WARNING_DAYS,
  findSigningAnchor,
  type ParsedCertificate,
} from '../certificates.js';
import { ISSUER_SECRET, TRUST_ROOTS_CONFIGMAP, TRUST_ROOTS_KEY } from '../check-context.js';
import type { CheckDefinition, CheckOutcome } from '../check-types.js';

export type CertificateRole = 'trust-anchor' | 'issuer' | 'webhook';

const ROLE_NAME: Record<CertificateRole, string> = {
  'trust-anchor': 'trust anchor',
  issuer: 'issuer certificate',
  webhook: 'webhook certificate',
};

function plural(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

export function evaluateAlgorithms(
  certs: readonly ParsedCertificate[],
  role: 'trust-anchor' | 'issuer',
): CheckOutcome {
  const problems = certs.flatMap((c) => {
    const p = algorithmProblem(c, role);
    return p ? [`${certificateLabel(c)} ${p}`] : [];
  });
  const algorithms = [
    ...new Set(certs.map((c) => `${c.publicKeyAlgorithm}, signed ${c.signatureAlgorithm}`)),
  ].join('; ');
  if (problems.length > 0) {
    return {
      status: 'fail',
      message: `${plural(problems.length, ROLE_NAME[role])} use${problems.length === 1 ? 's' : ''} an algorithm Linkerd does not accept`,
      hint:
        role === 'issuer'
          ? 'The issuer must be an ECDSA P-256 certificate; regenerate it (step certificate create ... --kty EC --crv P-256).'
          : 'Trust anchors must be ECDSA P-256 or RSA 2048/4096 certificates; regenerate and rotate them.',
      details: problems,
    };
  }
  return { status: 'pass', message: algorithms };
}

/** Fails when a certificate has expired or is not valid yet. */
export function evaluateTimeValidity(
  certs: readonly ParsedCertificate[],
  now: Date,
  role: CertificateRole,
): CheckOutcome {
  const bad = certs.flatMap((c) => {
    const v = evaluateValidity(c, now);
    return v.state === 'expired' || v.state === 'not-yet-valid'
      ? [`${certificateLabel(c)} ${v.message}`]
      : [];
  });
  if (bad.length > 0) {
    return {
      status: 'fail',
      message: `${plural(bad.length, ROLE_NAME[role])} ${bad.length === 1 ? 'is' : 'are'} outside ${bad.length === 1 ? 'its' : 'their'} validity period`,
      hint:
        role === 'issuer'
          ? 'Proxies cannot get new certificates from identity: rotate the issuer certificate now (https://linkerd.io/2/tasks/replacing_expired_certificates/).'
          : role === 'trust-anchor'
            ? 'mTLS between proxies fails once the anchor has expired: replace the trust anchor and the issuer (https://linkerd.io/2/tasks/replacing_expired_certificates/).'
            : 'The API server cannot call the webhook: restart the component to renew its certificate, or rotate it with cert-manager.',
      details: bad,
    };
  }
  return {
    status: 'pass',
    message: certs.map((c) => `${c.subject} ${evaluateValidity(c, now).message}`).join('; '),
  };
}

/** Warns when a certificate expires within `warnDays` (linkerd check: 60 days). */
export function evaluateExpiringSoon(
  certs: readonly ParsedCertificate[],
  now: Date,
  role: CertificateRole,
  warnDays = EXPIRY_WARNING_DAYS,
): CheckOutcome {
  const soon = certs.flatMap((c) => {
    const v = evaluateValidity(c, now, warnDays);
    return v.state === 'expiring' ? [`${certificateLabel(c)} ${v.message}`] : [];
  });
  if (soon.length > 0) {
    return {
      status: 'warn',
      message: `${plural(soon.length, ROLE_NAME[role])} expire${soon.length === 1 ? 's' : ''} within ${warnDays} days`,
      hint:
        role === 'issuer'
          ? 'Rotate the issuer certificate before it expires (https://linkerd.io/2/tasks/manually-rotating-control-plane-tls-credentials/), or let cert-manager renew it.'
          : role === 'trust-anchor'
            ? 'Rotate the trust anchor before it expires: add the new anchor to the bundle first, then reissue the issuer (https://linkerd.io/2/tasks/manually-rotating-control-plane-tls-credentials/).'
            : 'Renew the webhook certificate before it expires (restart the component or let cert-manager rotate it).',
      details: soon,
    };
  }
  const least = Math.min(...certs.map((c) => evaluateValidity(c, now).daysLeft));
  return { status: 'pass', message: `${least} days or more left` };
}

export function evaluateIssuedBy(
  issuer: ParsedCertificate,
  anchors: readonly ParsedCertificate[],
): CheckOutcome {
  const anchor = findSigningAnchor(issuer, anchors);
  if (!anchor) {
    return {
      status: 'fail',
      message: `issuer ${certificateLabel(issuer)} was not signed by any of the ${plural(anchors.length, 'trust anchor')}`,
      hint: 'Proxies will reject certificates from this issuer: reissue it from a trust anchor in the bundle, or add its signing CA to linkerd-identity-trust-roots.',
      details: anchors.map((a) => `anchor: ${certificateLabel(a)}`),
    };
  }
  return { status: 'pass', message: `issuer signed by ${certificateLabel(anchor)}` };
}

const ANCHORS = 'l5d-identity-trust-anchors-readable';
const ISSUER = 'l5d-identity-issuer-readable';

export const identityChecks: CheckDefinition[] = [
  {
    id: ANCHORS,
    category: 'linkerd-identity',
    description: 'trust anchors can be read and parsed',
    hintAnchor: 'l5d-identity-cert-config-valid',
    async run(ctx) {
      const anchors = await ctx.trustAnchors();
      return {
        status: 'pass',
        message: `${plural(anchors.length, 'trust anchor')} in ${TRUST_ROOTS_CONFIGMAP}/${TRUST_ROOTS_KEY}`,
        details: anchors.map(certificateLabel),
      };
    },
  },
  {
    id: 'l5d-identity-trust-anchors-algorithm',
    category: 'linkerd-identity',
    description: 'trust anchors are using supported crypto algorithm',
    hintAnchor: 'l5d-identity-trustAnchors-use-supported-crypto',
    requires: [ANCHORS],
    run: async (ctx) => evaluateAlgorithms(await ctx.trustAnchors(), 'trust-anchor'),
  },
  {
    id: 'l5d-identity-trust-anchors-time-valid',
    category: 'linkerd-identity',
    description: 'trust anchors are within their validity period',
    hintAnchor: 'l5d-identity-trustAnchors-are-time-valid',
    requires: [ANCHORS],
    run: async (ctx) => evaluateTimeValidity(await ctx.trustAnchors(), ctx.now, 'trust-anchor'),
  },
  {
    id: 'l5d-identity-trust-anchors-not-expiring-soon',
    category: 'linkerd-identity',
    description: `trust anchors are valid for at least ${EXPIRY_WARNING_DAYS} days`,
    hintAnchor: 'l5d-identity-trustAnchors-not-expiring-soon',
    requires: ['l5d-identity-trust-anchors-time-valid'],
    run: async (ctx) =>
      evaluateExpiringSoon(await ctx.trustAnchors(), ctx.now, 'trust-anchor', ctx.certificateWarningDays),
  },
  {
    id: ISSUER,
    category: 'linkerd-identity',
    description: 'issuer cert can be read and parsed',
    hintAnchor: 'l5d-identity-cert-config-valid',
    async run(ctx) {
      const { key, certificate } = await ctx.issuer();
      return { status: 'pass', message: `${certificateLabel(certificate)} in ${ISSUER_SECRET}/${key}` };
    },
  },
  {
    id: 'l5d-identity-issuer-algorithm',
    category: 'linkerd-identity',
    description: 'issuer cert is using supported crypto algorithm',
    hintAnchor: 'l5d-identity-issuer-cert-uses-supported-crypto',
    requires: [ISSUER],
    run: async (ctx) => evaluateAlgorithms([(await ctx.issuer()).certificate], 'issuer'),
  },
  {
    id: 'l5d-identity-issuer-time-valid',
    category: 'linkerd-identity',
    description: 'issuer cert is within its validity period',
    hintAnchor: 'l5d-identity-issuer-cert-is-time-valid',
    requires: [ISSUER],
    run: async (ctx) => evaluateTimeValidity([(await ctx.issuer()).certificate], ctx.now, 'issuer'),
  },
  {
    id: 'l5d-identity-issuer-not-expiring-soon',
    category: 'linkerd-identity',
    description: `issuer cert is valid for at least ${EXPIRY_WARNING_DAYS} days`,
    hintAnchor: 'l5d-identity-issuer-cert-not-expiring-soon',
    requires: ['l5d-identity-issuer-time-valid'],
    run: async (ctx) =>
      evaluateExpiringSoon([(await ctx.issuer()).certificate], ctx.now, 'issuer', ctx.certificateWarningDays),
  },
  {
    id: 'l5d-identity-issuer-issued-by-anchor',
    category: 'linkerd-identity',
    description: 'issuer cert is issued by the trust anchor',
    hintAnchor: 'l5d-identity-issuer-cert-issued-by-trust-anchor',
    requires: [ANCHORS, ISSUER],
    run: async (ctx) => evaluateIssuedBy((await ctx.issuer()).certificate, await ctx.trustAnchors()),
  },
];
