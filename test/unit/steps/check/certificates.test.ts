import { generateIdentity } from '../../../../src/sandbox/scenario/generate-identity.js';
import {
  algorithmProblem,
  evaluateValidity,
  findSigningAnchor,
  parsePemBundle,
} from '../../../../src/steps/check/certificates.js';
import {
  evaluateAlgorithms,
  evaluateExpiringSoon,
  evaluateIssuedBy,
  evaluateTimeValidity,
} from '../../../../src/steps/check/checks/identity-checks.js';

const DAY = 86_400_000;
const now = new Date('2026-11-23T12:00:00Z');

describe('certificate evaluation with generated certificates', () => {
  it('parses a valid identity: ECDSA P-256 signed with ECDSA-SHA256, issuer signed by the anchor', async () => {
    const id = await generateIdentity({}, { now });
    const anchors = parsePemBundle(id.trustAnchorsPem);
    const [issuer] = parsePemBundle(id.issuerCertPem);
    expect(anchors).toHaveLength(1);
    expect(anchors[0]!.subject).toBe('root.linkerd.cluster.local');
    expect(issuer!.subject).toBe('identity.linkerd.cluster.local');
    expect(issuer!.publicKeyAlgorithm).toBe('ECDSA P-256');
    expect(issuer!.signatureAlgorithm).toBe('ECDSA-SHA256');
    expect(algorithmProblem(issuer!, 'issuer')).toBeUndefined();
    expect(evaluateAlgorithms(anchors, 'trust-anchor').status).toBe('pass');
    expect(evaluateTimeValidity(anchors, now, 'trust-anchor').status).toBe('pass');
    expect(evaluateExpiringSoon([issuer!], now, 'issuer').status).toBe('pass');
    expect(findSigningAnchor(issuer!, anchors)).toBe(anchors[0]);
    expect(evaluateIssuedBy(issuer!, anchors)).toMatchObject({ status: 'pass' });
  });

  it('fails an expired trust anchor and says when it expired', async () => {
    const id = await generateIdentity({ trustAnchor: { expiresInDays: -3, validFromDays: -400 } }, { now });
    const anchors = parsePemBundle(id.trustAnchorsPem);
    expect(evaluateValidity(anchors[0]!, now)).toMatchObject({ state: 'expired', daysLeft: -3 });
    const outcome = evaluateTimeValidity(anchors, now, 'trust-anchor');
    expect(outcome.status).toBe('fail');
    expect(outcome.details?.[0]).toMatch(/root\.linkerd\.cluster\.local .* expired on 2026-11-20T12:00:00Z/);
    expect(outcome.hint).toMatch(/replace the trust anchor/);
  });

  it('warns for an issuer that expires in 10 days, naming the date and the days left', async () => {
    const id = await generateIdentity({ issuer: { expiresInDays: 10 } }, { now });
    const [issuer] = parsePemBundle(id.issuerCertPem);
    expect(evaluateTimeValidity([issuer!], now, 'issuer').status).toBe('pass');
    const outcome = evaluateExpiringSoon([issuer!], now, 'issuer');
    expect(outcome.status).toBe('warn');
    expect(outcome.message).toBe('1 issuer certificate expires within 60 days');
    expect(outcome.details?.[0]).toMatch(/expires on 2026-12-03T12:00:00Z \(in 10 days\)/);
  });

  it('fails a certificate that is not valid yet', async () => {
    const id = await generateIdentity({ issuer: { validFromDays: 2 } }, { now });
    const [issuer] = parsePemBundle(id.issuerCertPem);
    expect(evaluateValidity(issuer!, now).state).toBe('not-yet-valid');
    expect(evaluateTimeValidity([issuer!], now, 'issuer').details?.[0]).toMatch(
      /not valid before 2026-11-25T12:00:00Z/,
    );
  });

  it('fails an issuer not signed by any anchor, even one with the same subject', async () => {
    const id = await generateIdentity({ issuer: { signedByAnchor: false } }, { now });
    const anchors = parsePemBundle(id.trustAnchorsPem);
    const [issuer] = parsePemBundle(id.issuerCertPem);
    expect(issuer!.cert.checkIssued(anchors[0]!.cert)).toBe(true); // same names...
    expect(findSigningAnchor(issuer!, anchors)).toBeUndefined(); // ...but another key
    const outcome = evaluateIssuedBy(issuer!, anchors);
    expect(outcome.status).toBe('fail');
    expect(outcome.message).toMatch(/was not signed by any of the 1 trust anchor$/);
  });

  it('reads every PEM of a bundle with several anchors and finds the signer among them', async () => {
    const id = await generateIdentity({ trustAnchor: { count: 3 } }, { now });
    const anchors = parsePemBundle(id.trustAnchorsPem);
    expect(anchors).toHaveLength(3);
    const [issuer] = parsePemBundle(id.issuerCertPem);
    expect(findSigningAnchor(issuer!, [...anchors].reverse())).toBe(anchors[0]);
  });

  it('accepts an RSA 2048 trust anchor but not an RSA or P-384 issuer', async () => {
    const rsa = await generateIdentity(
      { trustAnchor: { algorithm: 'rsa-2048' }, issuer: { algorithm: 'rsa-2048' } },
      { now },
    );
    const [anchor] = parsePemBundle(rsa.trustAnchorsPem);
    const [issuer] = parsePemBundle(rsa.issuerCertPem);
    expect(anchor!.publicKeyAlgorithm).toBe('RSA 2048');
    expect(anchor!.signatureAlgorithm).toBe('SHA256-RSA');
    expect(algorithmProblem(anchor!, 'trust-anchor')).toBeUndefined();
    expect(evaluateAlgorithms([issuer!], 'issuer')).toMatchObject({ status: 'fail' });
    const p384 = await generateIdentity({ issuer: { algorithm: 'ecdsa-p384' } }, { now });
    const [big] = parsePemBundle(p384.issuerCertPem);
    expect(algorithmProblem(big!, 'issuer')).toMatch(/P-256 curve .* ECDSA P-384/);
  });

  it('rejects a bundle without certificates or with a broken one', () => {
    expect(() => parsePemBundle('nothing here')).toThrow('no PEM certificate found');
    expect(() => parsePemBundle('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----')).toThrow(
      /certificate 1 of 1 does not parse/,
    );
  });

  it('judges validity at the boundary of 60 days', () => {
    const at = (days: number): { notBefore: Date; notAfter: Date } => ({
      notBefore: new Date(now.getTime() - DAY),
      notAfter: new Date(now.getTime() + days * DAY),
    });
    expect(evaluateValidity(at(60), now).state).toBe('valid');
    expect(evaluateValidity(at(59.9), now).state).toBe('expiring');
  });
});
