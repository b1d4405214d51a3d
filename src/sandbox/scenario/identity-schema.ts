/**
 * The `linkerd.identity` block of a scenario: certificates generated when the scenario loads
 * (src/sandbox/scenario/generate-identity.ts), described by their life relative to that moment.
 *
 *   linkerd:
 *     identity:
 *       trustAnchor: { expiresInDays: 365 }
 *       issuer: { expiresInDays: 10, signedByAnchor: true }
 *       webhook: { expiresInDays: 365 }
 *
 * Every field is optional: `identity: {}` is a valid trust anchor, issuer and webhook CA for a year.
 */
import * as z from 'zod';

const days = (what: string) =>
  z
    .number({ error: `expected ${what} as a number of days` })
    .int({ error: `expected ${what} as a whole number of days` });

const certificateLife = {
  /** Days from load until notAfter; negative = already expired. Default 365. */
  expiresInDays: days('expiresInDays').optional(),
  /** Days from load until notBefore; positive = not valid yet. Default -1. */
  validFromDays: days('validFromDays').optional(),
  algorithm: z
    .enum(['ecdsa-p256', 'ecdsa-p384', 'rsa-2048'], { error: 'expected ecdsa-p256, ecdsa-p384 or rsa-2048' })
    .optional(),
};

export const identitySchema = z.strictObject({
  trustAnchor: z
    .strictObject({
      ...certificateLife,
      /** Anchors in the bundle (the issuer is signed by the first). Default 1. */
      count: z.number({ error: 'expected a count from 1 to 5' }).int().min(1).max(5).optional(),
    })
    .optional(),
  issuer: z
    .strictObject({
      ...certificateLife,
      /** false: signed by a key no anchor holds. Default true. */
      signedByAnchor: z.boolean({ error: 'expected true or false' }).optional(),
    })
    .optional(),
  webhook: z.strictObject(certificateLife).optional(),
});

export type IdentityScenario = z.infer<typeof identitySchema>;
