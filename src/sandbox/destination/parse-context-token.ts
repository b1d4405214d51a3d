/**
 * The `context_token` of a `GetDestination`: JSON `{"ns","nodeName","pod"}` (each optional),
 * or the old form `ns:NAME`. Anything else is ignored, as Linkerd does (it logs and goes on).
 */
import * as z from 'zod';

export interface ContextToken {
  ns?: string;
  nodeName?: string;
  pod?: string;
}

export type ContextTokenParse =
  | { form: 'empty'; token: ContextToken }
  | { form: 'json'; token: ContextToken }
  | { form: 'legacy'; token: ContextToken }
  | { form: 'invalid'; token: ContextToken };

const tokenSchema = z.object({
  ns: z.string().optional(),
  nodeName: z.string().optional(),
  pod: z.string().optional(),
});

function compact(token: ContextToken): ContextToken {
  const out: ContextToken = {};
  if (token.ns) out.ns = token.ns;
  if (token.nodeName) out.nodeName = token.nodeName;
  if (token.pod) out.pod = token.pod;
  return out;
}

export function parseContextToken(raw: string): ContextTokenParse {
  if (raw === '') return { form: 'empty', token: {} };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    json = undefined;
  }
  if (json !== undefined) {
    const parsed = tokenSchema.safeParse(json);
    if (parsed.success) return { form: 'json', token: compact(parsed.data) };
    return { form: 'invalid', token: {} };
  }
  const parts = raw.split(':');
  if (parts.length === 2 && parts[0] === 'ns')
    return { form: 'legacy', token: compact({ ns: parts[1] ?? '' }) };
  return { form: 'invalid', token: {} };
}
