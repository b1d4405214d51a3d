import type * as z from 'zod';
import { UsageError } from '../errors.js';
import { SLACK_LIMITS } from './render/slack-limits.js';

/**
 * The one codec of button values: JSON validated by a zod schema, within Slack's 2000-character
 * limit. A value comes back untrusted: anything meshbot did not write is `invalid()`.
 */
export interface ButtonCodec<T> {
  /** JSON for a button's `value`; throws when it would pass Slack's limit. */
  encode(value: T): string;
  /** The clicked value, or the codec's UsageError. */
  decode(raw: string | undefined): T;
}

export function createButtonCodec<S extends z.ZodType>(
  schema: S,
  invalid: () => UsageError,
): ButtonCodec<z.infer<S>> {
  return {
    encode(value) {
      const json = JSON.stringify(schema.parse(value));
      if (json.length > SLACK_LIMITS.buttonValue) {
        throw new UsageError(
          `button value is ${json.length} characters; Slack allows ${SLACK_LIMITS.buttonValue}`,
        );
      }
      return json;
    },
    decode(raw) {
      if (raw === undefined || raw.length === 0 || raw.length > SLACK_LIMITS.buttonValue) throw invalid();
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch {
        throw invalid();
      }
      const parsed = schema.safeParse(json);
      if (!parsed.success) throw invalid();
      return parsed.data;
    },
  };
}
