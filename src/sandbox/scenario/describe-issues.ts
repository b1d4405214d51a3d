/**
 * Turns zod issues into lines a person can act on: the field path as written in YAML or
 * JSON (`deployments[2].replicas`), what is expected and what was given:
 * `deployments[2].replicas: expected a whole number >= 0, got "three"`.
 */
import type * as z from 'zod';
import { didYouMean } from '../../grammar/did-you-mean.js';

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out || '(top level)';
}

/** A short rendering of a given value for an error message. */
export function showValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return 'a list';
  return 'a map';
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur = root;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p as string];
  }
  return cur;
}

/** The field names an object schema at `path` accepts, when they can be found. */
function knownKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let cur: unknown = schema;
  const unwrap = (s: unknown): unknown => {
    for (let i = 0; i < 8; i++) {
      const def = (s as { _zod?: { def?: Record<string, unknown> } })?._zod?.def;
      if (!def) return s;
      if (def['innerType']) s = def['innerType'];
      else if (def['type'] === 'pipe' && def['in']) s = def['in'];
      else return s;
    }
    return s;
  };
  for (const p of path) {
    cur = unwrap(cur);
    const def = (cur as { _zod?: { def?: Record<string, unknown> } })?._zod?.def;
    if (!def) return [];
    if (typeof p === 'number' && def['element']) cur = def['element'];
    else if (def['shape']) cur = (def['shape'] as Record<string, unknown>)[p as string];
    else return [];
  }
  const def = (unwrap(cur) as { _zod?: { def?: Record<string, unknown> } })?._zod?.def;
  return def?.['shape'] ? Object.keys(def['shape'] as object) : [];
}

export function describeIssue(issue: z.core.$ZodIssue, input: unknown, schema?: z.ZodType): string {
  const where = formatPath(issue.path);
  const given = valueAt(input, issue.path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = schema ? knownKeys(schema, issue.path) : [];
      return issue.keys
        .map((k) => {
          const hint = didYouMean(k, known);
          const tail = hint
            ? ` (did you mean "${hint}"?)`
            : known.length
              ? ` (expected one of: ${known.join(', ')})`
              : '';
          return `${where}: unknown field "${k}"${tail}`;
        })
        .join('\n');
    }
    case 'invalid_type':
      if (issue.message.startsWith('expected')) return `${where}: ${issue.message}, got ${showValue(given)}`;
      return `${where}: expected ${article(issue.expected)}, got ${showValue(given)}`;
    default:
      if (issue.message.startsWith('expected')) return `${where}: ${issue.message}, got ${showValue(given)}`;
      return `${where}: ${issue.message}`;
  }
}

function article(expected: string): string {
  switch (expected) {
    case 'object':
      return 'a map';
    case 'array':
      return 'a list';
    case 'int':
      return 'a whole number';
    case 'boolean':
      return 'true or false';
    default:
      return `a ${expected}`;
  }
}

/** One line per problem (at most `limit`, then a count of the rest). */
export function describeIssues(error: z.ZodError, input: unknown, schema?: z.ZodType, limit = 20): string[] {
  const lines = error.issues.flatMap((i) => describeIssue(i, input, schema).split('\n'));
  const unique = [...new Set(lines)];
  return unique.length > limit
    ? [...unique.slice(0, limit), `... and ${unique.length - limit} more problems`]
    : unique;
}
