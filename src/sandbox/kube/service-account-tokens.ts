/**
 * ServiceAccount tokens, as the TokenRequest API issues them: JWTs (HS256 with a key of the
 * running API server, so they die with it) naming the ServiceAccount's namespace, name and
 * uid. A token authenticates only while its ServiceAccount exists with that uid and the token
 * has not expired, as bound service account tokens do.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';

export const TOKEN_ISSUER = 'https://kubernetes.default.svc.cluster.local';

export interface ServiceAccountRef {
  namespace: string;
  name: string;
  uid: string;
}

export interface TokenIssuer {
  /** A token for the ServiceAccount, valid for `expirationSeconds`; with its expiry time. */
  mint(sa: ServiceAccountRef, expirationSeconds: number): { token: string; expiresAt: Date };
  /** The ServiceAccount a well-signed, unexpired token names; undefined for any other string. */
  verify(token: string): ServiceAccountRef | undefined;
}

const claimsSchema = z.object({
  iss: z.literal(TOKEN_ISSUER),
  exp: z.number(),
  'kubernetes.io': z.object({
    namespace: z.string(),
    serviceaccount: z.object({ name: z.string(), uid: z.string() }),
  }),
});

function b64(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function createTokenIssuer(key: Buffer = randomBytes(32)): TokenIssuer {
  const sign = (data: string) => createHmac('sha256', key).update(data).digest();
  return {
    mint(sa, expirationSeconds) {
      const now = Math.floor(Date.now() / 1000);
      const exp = now + expirationSeconds;
      const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({
        aud: [TOKEN_ISSUER],
        iss: TOKEN_ISSUER,
        iat: now,
        nbf: now,
        exp,
        sub: `system:serviceaccount:${sa.namespace}:${sa.name}`,
        'kubernetes.io': { namespace: sa.namespace, serviceaccount: { name: sa.name, uid: sa.uid } },
      })}`;
      return { token: `${head}.${sign(head).toString('base64url')}`, expiresAt: new Date(exp * 1000) };
    },
    verify(token) {
      const parts = token.split('.');
      if (parts.length !== 3) return undefined;
      const [header = '', payload = '', signature = ''] = parts;
      const expected = sign(`${header}.${payload}`);
      const given = Buffer.from(signature, 'base64url');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
      let claims: z.infer<typeof claimsSchema>;
      try {
        const parsed = claimsSchema.safeParse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
        if (!parsed.success) return undefined;
        claims = parsed.data;
      } catch {
        return undefined;
      }
      if (claims.exp * 1000 <= Date.now()) return undefined;
      const k = claims['kubernetes.io'];
      return { namespace: k.namespace, name: k.serviceaccount.name, uid: k.serviceaccount.uid };
    },
  };
}
