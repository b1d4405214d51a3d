/**
 * Certificates for a sandbox's Linkerd control plane, generated when a scenario loads: the
 * trust anchor(s), the identity issuer signed by the first anchor (or, to test that check, by a
 * key no anchor holds), and the proxy-injector webhook's CA. ECDSA P-256 with SHA-256, as
 * Linkerd's own (`linkerd install`, `step certificate create --kty EC`).
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const DAY_MS = 86_400_000;

export type KeyAlgorithm = 'ecdsa-p256' | 'ecdsa-p384' | 'rsa-2048';

/** One certificate's life, relative to the moment the scenario loads. */
export interface CertificateSpec {
  /** Days from now until notAfter; negative = already expired. Default 365. */
  expiresInDays?: number;
  /** Days from now until notBefore; positive = not valid yet. Default -1. */
  validFromDays?: number;
  /** Default ecdsa-p256. */
  algorithm?: KeyAlgorithm;
}

export interface IdentitySpec {
  /** Default: one anchor valid for a year. */
  trustAnchor?: CertificateSpec & { /** Anchors in the bundle; default 1. */ count?: number };
  /** Default: valid for a year, signed by the first anchor. */
  issuer?: CertificateSpec & {
    /** false: signed by a key no anchor holds. Default true. */ signedByAnchor?: boolean;
  };
  /** The proxy-injector webhook's CA (its MutatingWebhookConfiguration caBundle). Default: a year. */
  webhook?: CertificateSpec;
}

export interface GeneratedIdentity {
  /** PEM bundle for ConfigMap linkerd-identity-trust-roots, key ca-bundle.crt. */
  trustAnchorsPem: string;
  /** PEM for Secret linkerd-identity-issuer, keys tls.crt / crt.pem. */
  issuerCertPem: string;
  /** PKCS#8 PEM for tls.key / key.pem. */
  issuerKeyPem: string;
  /** PEM of the proxy-injector webhook's certificate, self-signed: also its caBundle. */
  webhookCaPem: string;
  /** PKCS#8 PEM of the webhook certificate's key. */
  webhookKeyPem: string;
}

type Algorithm =
  (webcrypto.EcKeyGenParams & { hash: string }) | (webcrypto.RsaHashedKeyGenParams & { hash: string });

function algorithmOf(kind: KeyAlgorithm = 'ecdsa-p256'): Algorithm {
  switch (kind) {
    case 'ecdsa-p384':
      return { name: 'ECDSA', namedCurve: 'P-384', hash: 'SHA-384' };
    case 'rsa-2048':
      return {
        name: 'RSASSA-PKCS1-v1_5',
        modulusLength: 2048,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: 'SHA-256',
      };
    default:
      return { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  }
}

async function generateKeys(alg: Algorithm): Promise<webcrypto.CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
}

function window(spec: CertificateSpec, now: Date): { notBefore: Date; notAfter: Date } {
  return {
    notBefore: new Date(now.getTime() + (spec.validFromDays ?? -1) * DAY_MS),
    notAfter: new Date(now.getTime() + (spec.expiresInDays ?? 365) * DAY_MS),
  };
}

let serial = 0;
function nextSerial(): string {
  serial = (serial + 1) % 0xffff;
  return (Date.now().toString(16) + serial.toString(16).padStart(4, '0')).replace(/^0+/, '') || '01';
}

const CA_EXTENSIONS = (pathLength?: number): x509.Extension[] => [
  new x509.BasicConstraintsExtension(true, pathLength, true),
  new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
];

async function selfSigned(
  name: string,
  spec: CertificateSpec,
  now: Date,
): Promise<{ cert: x509.X509Certificate; keys: webcrypto.CryptoKeyPair; alg: Algorithm }> {
  const alg = algorithmOf(spec.algorithm);
  const keys = await generateKeys(alg);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: nextSerial(),
    name,
    ...window(spec, now),
    signingAlgorithm: alg,
    keys,
    extensions: CA_EXTENSIONS(),
  });
  return { cert, keys, alg };
}

export async function generateIdentity(
  spec: IdentitySpec = {},
  options: { now?: Date; controlPlaneNamespace?: string; clusterDomain?: string } = {},
): Promise<GeneratedIdentity> {
  const now = options.now ?? new Date();
  const ns = options.controlPlaneNamespace ?? 'linkerd';
  const domain = options.clusterDomain ?? 'cluster.local';
  const anchorSpec = spec.trustAnchor ?? {};
  const anchors = [];
  for (let i = 0; i < Math.max(1, anchorSpec.count ?? 1); i++) {
    anchors.push(await selfSigned(`CN=root.${ns}.${domain}${i > 0 ? `-${i + 1}` : ''}`, anchorSpec, now));
  }
  const first = anchors[0]!;
  const issuerSpec = spec.issuer ?? {};
  const signer =
    issuerSpec.signedByAnchor === false ? await selfSigned(`CN=root.${ns}.${domain}`, {}, now) : first;
  const issuerAlg = algorithmOf(issuerSpec.algorithm);
  const issuerKeys = await generateKeys(issuerAlg);
  const issuerCert = await x509.X509CertificateGenerator.create({
    serialNumber: nextSerial(),
    subject: `CN=identity.${ns}.${domain}`,
    issuer: signer.cert.subject,
    ...window(issuerSpec, now),
    signingAlgorithm: signer.alg,
    publicKey: issuerKeys.publicKey,
    signingKey: signer.keys.privateKey,
    extensions: CA_EXTENSIONS(0),
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', issuerKeys.privateKey);
  const webhook = await selfSigned(`CN=linkerd-proxy-injector.${ns}.svc`, spec.webhook ?? {}, now);
  const webhookKey = await webcrypto.subtle.exportKey('pkcs8', webhook.keys.privateKey);
  return {
    trustAnchorsPem: anchors.map((a) => a.cert.toString('pem')).join('\n') + '\n',
    issuerCertPem: issuerCert.toString('pem') + '\n',
    issuerKeyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY') + '\n',
    webhookCaPem: webhook.cert.toString('pem') + '\n',
    webhookKeyPem: x509.PemConverter.encode(webhookKey, 'PRIVATE KEY') + '\n',
  };
}

/** The PEM fields of a scenario's `linkerd` block that `identity` fills. */
export interface LinkerdPems {
  trustAnchorsPem?: string;
  issuer?: { certPem: string; keyPem: string };
  webhook?: { certPem: string; keyPem: string; caBundlePem?: string };
}

/**
 * A copy of a scenario's `linkerd` block whose certificates are generated from its `identity`
 * block (which wins over PEMs given alongside); unchanged when it has none.
 */
export async function withGeneratedIdentity<
  L extends LinkerdPems & { identity?: IdentitySpec; namespace?: string; clusterDomain?: string },
>(linkerd: L, now = new Date()): Promise<L> {
  if (!linkerd.identity) return linkerd;
  const id = await generateIdentity(linkerd.identity, {
    now,
    ...(linkerd.namespace ? { controlPlaneNamespace: linkerd.namespace } : {}),
    ...(linkerd.clusterDomain ? { clusterDomain: linkerd.clusterDomain } : {}),
  });
  return {
    ...linkerd,
    trustAnchorsPem: id.trustAnchorsPem,
    issuer: { certPem: id.issuerCertPem, keyPem: id.issuerKeyPem },
    webhook: { certPem: id.webhookCaPem, keyPem: id.webhookKeyPem, caBundlePem: id.webhookCaPem },
  };
}

/** The scenario with its `linkerd.identity` certificates generated (startSandbox calls this once it has loaded it). */
export async function withScenarioIdentity<
  S extends { linkerd?: (LinkerdPems & { identity?: IdentitySpec }) | undefined },
>(scenario: S, now = new Date()): Promise<S> {
  if (!scenario.linkerd?.identity) return scenario;
  return { ...scenario, linkerd: await withGeneratedIdentity(scenario.linkerd, now) };
}
