/**
 * Kubernetes label selectors: the string form of `?labelSelector=` and `kubectl -l`
 * (`a=b,c!=d,e in (x,y),f notin (z),g,!h`) and the structured form controllers use
 * (`{matchLabels, matchExpressions}`). Parse errors are 400 BadRequest StatusErrors.
 */
import { badRequest } from './status-error.js';

export type RequirementOperator =
  'Equals' | 'NotEquals' | 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';

export interface LabelRequirement {
  key: string;
  operator: RequirementOperator;
  /** Values for Equals/NotEquals (one), In/NotIn (one or more), Gt/Lt (one integer). */
  values: string[];
}

export interface ParsedLabelSelector {
  /** All must hold; empty = matches everything. */
  requirements: LabelRequirement[];
}

/** metav1.LabelSelector. */
export interface StructuredLabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

export type Labels = Record<string, string> | undefined;

const EVERYTHING: ParsedLabelSelector = Object.freeze({ requirements: [] }) as ParsedLabelSelector;

const NAME_RE = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS1123_SUBDOMAIN_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why `key` is not a valid label key (qualified name), or undefined when it is. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.indexOf('/');
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (prefix !== undefined) {
    if (prefix.length === 0) return 'prefix part must be non-empty';
    if (prefix.length > 253 || !DNS1123_SUBDOMAIN_RE.test(prefix)) {
      return "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
    }
  }
  if (name.length === 0) return 'name part must be non-empty';
  if (name.length > 63) return 'name part must be no more than 63 characters';
  if (!NAME_RE.test(name)) {
    return "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
  }
  return undefined;
}

/** Why `value` is not a valid label value, or undefined when it is. */
export function labelValueProblem(value: string): string | undefined {
  if (value === '') return undefined;
  if (value.length > 63) return 'must be no more than 63 characters';
  if (!NAME_RE.test(value)) {
    return "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
  }
  return undefined;
}

type Token =
  | { t: 'id'; v: string; pos: number }
  | { t: 'op'; v: '=' | '==' | '!=' | '!' | '(' | ')' | ',' | '>' | '<'; pos: number }
  | { t: 'end'; pos: number };

function tokenize(input: string, fail: (msg: string) => never): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i] as string;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    const two = input.slice(i, i + 2);
    if (two === '==' || two === '!=') {
      tokens.push({ t: 'op', v: two, pos: i });
      i += 2;
      continue;
    }
    if (c === '=' || c === '!' || c === '(' || c === ')' || c === ',' || c === '>' || c === '<') {
      tokens.push({ t: 'op', v: c, pos: i });
      i++;
      continue;
    }
    let j = i;
    while (j < input.length && !' \t\n\r=!(),<>'.includes(input[j] as string)) j++;
    if (j === i) fail(`unexpected character '${c}'`);
    tokens.push({ t: 'id', v: input.slice(i, j), pos: i });
    i = j;
  }
  tokens.push({ t: 'end', pos: input.length });
  return tokens;
}

function describe(tok: Token): string {
  return tok.t === 'end' ? "''" : `'${tok.v}'`;
}

/**
 * Parses a label selector string. Empty or absent = matches everything.
 * @throws StatusError 400 BadRequest naming what was found and what was expected.
 */
export function parseLabelSelector(input: string | undefined): ParsedLabelSelector {
  if (input === undefined || input.trim() === '') return EVERYTHING;
  const fail = (msg: string): never => {
    throw badRequest(`unable to parse label selector "${input}": ${msg}`);
  };
  const tokens = tokenize(input, fail);
  let p = 0;
  const peek = (): Token => tokens[p] as Token;
  const next = (): Token => tokens[p++] as Token;
  const requirements: LabelRequirement[] = [];

  const readKey = (): string => {
    const tok = next();
    if (tok.t !== 'id') return fail(`found ${describe(tok)}, expected: identifier`);
    const problem = labelKeyProblem(tok.v);
    if (problem) fail(`invalid label key "${tok.v}": ${problem}`);
    return tok.v;
  };
  const checkValue = (v: string): string => {
    const problem = labelValueProblem(v);
    if (problem) fail(`invalid label value: "${v}": ${problem}`);
    return v;
  };

  for (;;) {
    let tok = peek();
    if (tok.t === 'op' && tok.v === '!') {
      next();
      requirements.push({ key: readKey(), operator: 'DoesNotExist', values: [] });
    } else {
      const key = readKey();
      tok = peek();
      if (tok.t === 'end' || (tok.t === 'op' && tok.v === ',')) {
        requirements.push({ key, operator: 'Exists', values: [] });
      } else if (tok.t === 'op' && (tok.v === '=' || tok.v === '==' || tok.v === '!=')) {
        next();
        const valueTok = peek();
        let value = '';
        if (valueTok.t === 'id') {
          next();
          value = valueTok.v;
        } else if (!(valueTok.t === 'end' || valueTok.v === ',')) {
          fail(`found ${describe(valueTok)}, expected: identifier`);
        }
        requirements.push({
          key,
          operator: tok.v === '!=' ? 'NotEquals' : 'Equals',
          values: [checkValue(value)],
        });
      } else if (tok.t === 'op' && (tok.v === '>' || tok.v === '<')) {
        next();
        const valueTok = next();
        if (valueTok.t !== 'id') return fail(`found ${describe(valueTok)}, expected: integer`);
        if (!/^-?\d+$/.test(valueTok.v)) fail(`for 'Gt', 'Lt' operators, the value must be an integer`);
        requirements.push({ key, operator: tok.v === '>' ? 'Gt' : 'Lt', values: [valueTok.v] });
      } else if (tok.t === 'id' && (tok.v === 'in' || tok.v === 'notin')) {
        next();
        const open = next();
        if (!(open.t === 'op' && open.v === '(')) fail(`found ${describe(open)}, expected: '('`);
        const values: string[] = [];
        for (;;) {
          const v = next();
          if (v.t === 'id') {
            values.push(checkValue(v.v));
            const sep = next();
            if (sep.t === 'op' && sep.v === ')') break;
            if (!(sep.t === 'op' && sep.v === ',')) fail(`found ${describe(sep)}, expected: ',' or ')'`);
          } else if (v.t === 'op' && v.v === ')' && values.length === 0) {
            break;
          } else {
            fail(`found ${describe(v)}, expected: identifier`);
          }
        }
        if (values.length === 0) fail(`for 'in', 'notin' operators, values set can't be empty`);
        requirements.push({ key, operator: tok.v === 'in' ? 'In' : 'NotIn', values });
      } else {
        fail(`found ${describe(tok)}, expected: '=', '!=', '==', 'in', 'notin', ',' or end of string`);
      }
    }
    const sep = next();
    if (sep.t === 'end') break;
    if (!(sep.t === 'op' && sep.v === ',')) fail(`found ${describe(sep)}, expected: ',' or 'end of string'`);
  }
  return { requirements };
}

function requirementMatches(r: LabelRequirement, labels: Labels): boolean {
  const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = has ? (labels as Record<string, string>)[r.key] : undefined;
  switch (r.operator) {
    case 'Equals':
    case 'In':
      return has && r.values.includes(value as string);
    case 'NotEquals':
    case 'NotIn':
      return !has || !r.values.includes(value as string);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
    case 'Lt': {
      if (!has || !/^-?\d+$/.test(value as string)) return false;
      const actual = Number(value);
      const bound = Number(r.values[0]);
      return r.operator === 'Gt' ? actual > bound : actual < bound;
    }
  }
}

/** Whether labels satisfy every requirement of the selector. */
export function matchesLabelSelector(selector: ParsedLabelSelector, labels: Labels): boolean {
  for (const r of selector.requirements) if (!requirementMatches(r, labels)) return false;
  return true;
}

/** Whether the selector selects everything. */
export function isEverything(selector: ParsedLabelSelector): boolean {
  return selector.requirements.length === 0;
}

/**
 * Converts a metav1.LabelSelector. An empty selector (`{}`) selects everything.
 * @throws StatusError 400 for an unknown operator or a missing/extra value list.
 */
export function fromStructuredSelector(sel: StructuredLabelSelector): ParsedLabelSelector {
  const requirements: LabelRequirement[] = [];
  for (const [key, value] of Object.entries(sel.matchLabels ?? {})) {
    requirements.push({ key, operator: 'Equals', values: [value] });
  }
  for (const expr of sel.matchExpressions ?? []) {
    const values = expr.values ?? [];
    switch (expr.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) {
          throw badRequest(`values: Required value: must be specified when \`operator\` is 'In' or 'NotIn'`);
        }
        requirements.push({ key: expr.key, operator: expr.operator, values: [...values] });
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) {
          throw badRequest(
            `values: Forbidden: may not be specified when \`operator\` is 'Exists' or 'DoesNotExist'`,
          );
        }
        requirements.push({ key: expr.key, operator: expr.operator, values: [] });
        break;
      default:
        throw badRequest(`"${expr.operator}" is not a valid label selector operator`);
    }
  }
  return { requirements };
}

/**
 * Whether a metav1.LabelSelector selects these labels. As in Kubernetes, a null/absent selector
 * selects nothing and an empty one (`{}`) selects everything.
 */
export function matchesStructuredSelector(
  sel: StructuredLabelSelector | null | undefined,
  labels: Labels,
): boolean {
  if (sel === null || sel === undefined) return false;
  return matchesLabelSelector(fromStructuredSelector(sel), labels);
}

/**
 * Whether a Service-style selector (a plain map) selects these labels. An empty or absent map
 * selects nothing, as a Service without a selector gets no managed endpoints.
 */
export function matchesSelectorMap(selector: Record<string, string> | undefined, labels: Labels): boolean {
  if (!selector) return false;
  const entries = Object.entries(selector);
  if (entries.length === 0) return false;
  if (!labels) return false;
  for (const [k, v] of entries) if (labels[k] !== v) return false;
  return true;
}

/** The string form (`a=b,c in (x,y)`), requirements sorted by key as Kubernetes prints them. */
export function formatLabelSelector(selector: ParsedLabelSelector | StructuredLabelSelector): string {
  const parsed = 'requirements' in selector ? selector : fromStructuredSelector(selector);
  const sorted = [...parsed.requirements].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return sorted
    .map((r) => {
      switch (r.operator) {
        case 'Equals':
          return `${r.key}=${r.values[0] ?? ''}`;
        case 'NotEquals':
          return `${r.key}!=${r.values[0] ?? ''}`;
        case 'In':
          return `${r.key} in (${[...r.values].sort().join(',')})`;
        case 'NotIn':
          return `${r.key} notin (${[...r.values].sort().join(',')})`;
        case 'Exists':
          return r.key;
        case 'DoesNotExist':
          return `!${r.key}`;
        case 'Gt':
          return `${r.key}>${r.values[0] ?? ''}`;
        case 'Lt':
          return `${r.key}<${r.values[0] ?? ''}`;
      }
    })
    .join(',');
}
