/**
 * Pure evaluation of Linkerd's identity and webhook certificates with Node's
 * `crypto.X509Certificate`: parsing PEM bundles, the algorithm requirements of Linkerd's
 * `issuercerts` package, the validity window and "expires within 60 days", and whether an
 * issuer was signed by one of the trust anchors.
 */
import { X509Certificate } from 'node:crypto';

/** `linkerd check` warns when a certificate expires within this many days. */
export const EXPIRY_WARNING_DAYS = 60;

const DAY_MS = 86_400_000;

export interface ParsedCertificate {
  cert: X509Certificate;
  subject: string;
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  /** e.g. `ECDSA P-256`, `RSA 2048`, `Ed25519`. */
  publicKeyAlgorithm: string;
  /** e.g. `ECDSA-SHA256`, `SHA256-RSA`; `unknown (OID)` when not recognised. */
  signatureAlgorithm: string;
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/**
 * Parses every certificate of a PEM bundle. Throws an Error naming the position of a block
 * that does not parse, or saying that no certificate was found.
 */
export function parsePemBundle(pem: string): ParsedCertificate[] {
  const blocks = pem.match(PEM_BLOCK) ?? [];
  if (blocks.length === 0) throw new Error('no PEM certificate found');
  return blocks.map((block, i) => {
    try {
      return describeCertificate(new X509Certificate(block));
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new Error(`certificate ${i + 1} of ${blocks.length} does not parse: ${why}`, { cause: err });
    }
  });
}

export function describeCertificate(cert: X509Certificate): ParsedCertificate {
  return {
    cert,
    subject: commonName(cert.subject),
    serialNumber: cert.serialNumber,
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
    publicKeyAlgorithm: publicKeyAlgorithm(cert),
    signatureAlgorithm: signatureAlgorithm(cert),
  };
}

/** `CN=identity.linkerd.cluster.local` -> `identity.linkerd.cluster.local`; the whole subject otherwise. */
function commonName(subject: string): string {
  const cn = subject.split('\n').find((line) => line.startsWith('CN='));
  return cn ? cn.slice(3) : subject.replace(/\n/g, ', ');
}

const CURVES: Record<string, string> = {
  prime256v1: 'P-256',
  secp384r1: 'P-384',
  secp521r1: 'P-521',
};

function publicKeyAlgorithm(cert: X509Certificate): string {
  const key = cert.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'ec':
      return `ECDSA ${CURVES[details.namedCurve ?? ''] ?? details.namedCurve ?? 'unknown curve'}`;
    case 'rsa':
      return `RSA ${details.modulusLength ?? '?'}`;
    case 'ed25519':
      return 'Ed25519';
    default:
      return key.asymmetricKeyType ?? 'unknown';
  }
}

const SIGNATURE_OIDS: Record<string, string> = {
  '1.2.840.10045.4.3.2': 'ECDSA-SHA256',
  '1.2.840.10045.4.3.3': 'ECDSA-SHA384',
  '1.2.840.10045.4.3.4': 'ECDSA-SHA512',
  '1.2.840.10045.4.1': 'ECDSA-SHA1',
  '1.2.840.113549.1.1.11': 'SHA256-RSA',
  '1.2.840.113549.1.1.12': 'SHA384-RSA',
  '1.2.840.113549.1.1.13': 'SHA512-RSA',
  '1.2.840.113549.1.1.5': 'SHA1-RSA',
  '1.2.840.113549.1.1.10': 'RSASSA-PSS',
  '1.3.101.112': 'Ed25519',
};

/**
 * The certificate's signatureAlgorithm, read from the DER (Node 20's X509Certificate does not
 * expose it): Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm SEQUENCE { OID, ... }, ... }.
 */
function signatureAlgorithm(cert: X509Certificate): string {
  try {
    const der = cert.raw;
    const outer = readHeader(der, 0);
    const tbs = readHeader(der, outer.contentStart);
    const alg = readHeader(der, tbs.contentStart + tbs.length);
    const oid = readHeader(der, alg.contentStart);
    if (der[alg.contentStart - alg.headerLength] !== 0x30 || der[alg.contentStart] !== 0x06) {
      return 'unknown';
    }
    const text = decodeOid(der.subarray(oid.contentStart, oid.contentStart + oid.length));
    return SIGNATURE_OIDS[text] ?? `unknown (${text})`;
  } catch {
    return 'unknown';
  }
}

function readHeader(
  der: Buffer,
  offset: number,
): { contentStart: number; length: number; headerLength: number } {
  const first = der[offset + 1];
  if (first === undefined) throw new Error('truncated DER');
  if (first < 0x80) return { contentStart: offset + 2, length: first, headerLength: 2 };
  const bytes = first & 0x7f;
  let length = 0;
  for (let i = 0; i < bytes; i++) {
    const b = der[offset + 2 + i];
    if (b === undefined) throw new Error('truncated DER');
    length = length * 256 + b;
  }
  return { contentStart: offset + 2 + bytes, length, headerLength: 2 + bytes };
}

function decodeOid(bytes: Buffer): string {
  const first = bytes[0] ?? 0;
  const parts = [Math.floor(first / 40), first % 40];
  let value = 0;
  for (const b of bytes.subarray(1)) {
    value = value * 128 + (b & 0x7f);
    if ((b & 0x80) === 0) {
      parts.push(value);
      value = 0;
    }
  }
  return parts.join('.');
}

/**
 * Linkerd's algorithm requirements (pkg/issuercerts): a trust anchor uses ECDSA P-256 or RSA
 * 2048/4096; an issuer uses ECDSA P-256; an ECDSA certificate is signed with ECDSA-SHA256 or
 * SHA256-RSA, an RSA one with SHA256-RSA. Returns the problem, or undefined when it complies.
 */
export function algorithmProblem(c: ParsedCertificate, role: 'trust-anchor' | 'issuer'): string | undefined {
  const pk = c.publicKeyAlgorithm;
  if (pk.startsWith('ECDSA')) {
    if (pk !== 'ECDSA P-256') return `must use the P-256 curve for its public key, instead ${pk} is used`;
    if (c.signatureAlgorithm !== 'ECDSA-SHA256' && c.signatureAlgorithm !== 'SHA256-RSA') {
      return `must be signed with ECDSA-SHA256 or SHA256-RSA, instead ${c.signatureAlgorithm} is used`;
    }
    return undefined;
  }
  if (role === 'trust-anchor' && pk.startsWith('RSA')) {
    if (pk !== 'RSA 2048' && pk !== 'RSA 4096')
      return `must use a 2048 or 4096 bit RSA key, instead ${pk} is used`;
    if (c.signatureAlgorithm !== 'SHA256-RSA') {
      return `must be signed with SHA256-RSA, instead ${c.signatureAlgorithm} is used`;
    }
    return undefined;
  }
  return role === 'issuer'
    ? `must use ECDSA P-256 for its public key, instead ${pk} is used`
    : `must use ECDSA P-256 or RSA for its public key, instead ${pk} is used`;
}

export type ValidityState = 'valid' | 'expiring' | 'expired' | 'not-yet-valid';

export interface Validity {
  state: ValidityState;
  /** Whole days until notAfter (negative once expired). */
  daysLeft: number;
  /** One phrase, e.g. `expired on 2026-01-02T00:00:00Z`. */
  message: string;
}

export function evaluateValidity(
  c: Pick<ParsedCertificate, 'notBefore' | 'notAfter'>,
  now: Date,
  warnDays = EXPIRY_WARNING_DAYS,
): Validity {
  const daysLeft = Math.floor((c.notAfter.getTime() - now.getTime()) / DAY_MS);
  if (c.notBefore.getTime() > now.getTime()) {
    return { state: 'not-yet-valid', daysLeft, message: `not valid before ${iso(c.notBefore)}` };
  }
  if (c.notAfter.getTime() < now.getTime()) {
    return { state: 'expired', daysLeft, message: `expired on ${iso(c.notAfter)}` };
  }
  if (c.notAfter.getTime() - now.getTime() < warnDays * DAY_MS) {
    return {
      state: 'expiring',
      daysLeft,
      message: `expires on ${iso(c.notAfter)} (in ${daysLeft} day${daysLeft === 1 ? '' : 's'})`,
    };
  }
  return { state: 'valid', daysLeft, message: `valid until ${iso(c.notAfter)}` };
}

/** The first anchor that issued and signed `issuer`, or undefined. */
export function findSigningAnchor(
  issuer: ParsedCertificate,
  anchors: readonly ParsedCertificate[],
): ParsedCertificate | undefined {
  return anchors.find((a) => {
    try {
      return issuer.cert.checkIssued(a.cert) && issuer.cert.verify(a.cert.publicKey);
    } catch {
      return false;
    }
  });
}

/** `CN (serial 0A1B)`: how a certificate is named in messages. */
export function certificateLabel(c: ParsedCertificate): string {
  return `${c.subject} (serial ${c.serialNumber})`;
}

export function iso(d: Date): string {
  return d.toISOString().replace('.000Z', 'Z');
}
