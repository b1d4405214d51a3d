/**
 * The API server's TLS certificate: self-signed (ECDSA P-256) for 127.0.0.1 and localhost,
 * and its own CA, so kubeconfigs can pin it as `certificate-authority-data`.
 *
 * Why TLS at all: kubectl (client-go's clientcmd) sends a kubeconfig's token only to an
 * https:// server, so a ServiceAccount's kubeconfig must use https for RBAC to see who it is.
 * @peculiar/x509 is imported when the first certificate is made, not at module load.
 */
import { webcrypto } from 'node:crypto';

export interface ServingCertificate {
  certPem: string;
  keyPem: string;
}

const DAY_MS = 86_400_000;

export async function createServingCertificate(now = new Date()): Promise<ServingCertificate> {
  await import('reflect-metadata');
  const loaded = await import('@peculiar/x509');
  // Bundled (esbuild, CommonJS interop) the namespace holds the module as `default`.
  const x509 = loaded.cryptoProvider ? loaded : (loaded as unknown as { default: typeof loaded }).default;
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Date.now().toString(16),
    name: 'CN=meshbot-sandbox-apiserver',
    notBefore: new Date(now.getTime() - DAY_MS),
    notAfter: new Date(now.getTime() + 365 * DAY_MS),
    signingAlgorithm: alg,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyCertSign, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        { type: 'ip', value: '127.0.0.1' },
        { type: 'dns', value: 'localhost' },
      ]),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return {
    certPem: `${cert.toString('pem')}\n`,
    keyPem: `${x509.PemConverter.encode(pkcs8, 'PRIVATE KEY')}\n`,
  };
}
