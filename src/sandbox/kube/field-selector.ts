/**
 * Kubernetes field selectors (`?fieldSelector=metadata.name=web,status.phase!=Running`): only
 * `=`, `==` and `!=`, and only the fields each kind declares selectable. An unknown field is a
 * 400 BadRequest `field label not supported: X`, as the real API server answers.
 */
import type { KindSpec, KubeObject } from './store-types.js';
import { badRequest } from './status-error.js';

export interface FieldRequirement {
  field: string;
  operator: 'Equals' | 'NotEquals';
  value: string;
}

export interface ParsedFieldSelector {
  requirements: FieldRequirement[];
}

const EVERYTHING: ParsedFieldSelector = Object.freeze({ requirements: [] }) as ParsedFieldSelector;

/** Fields selectable on every kind. */
const COMMON_FIELDS = ['metadata.name', 'metadata.namespace'];

/** Extra selectable fields per `group/plural` (the core group is ``), from the real registry strategies. */
const KIND_FIELDS: Record<string, string[]> = {
  '/pods': [
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'spec.hostNetwork',
    'status.phase',
    'status.podIP',
    'status.nominatedNodeName',
  ],
  '/events': [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ],
  '/secrets': ['type'],
  '/namespaces': ['status.phase'],
  '/nodes': ['spec.unschedulable'],
  '/services': ['spec.clusterIP', 'spec.type'],
  'apps/replicasets': ['status.replicas'],
};

/** The field names a kind accepts in a field selector. */
export function selectableFields(kind: Pick<KindSpec, 'group' | 'plural'>): string[] {
  return [...COMMON_FIELDS, ...(KIND_FIELDS[`${kind.group}/${kind.plural}`] ?? [])];
}

/** Splits on unescaped commas and unescapes `\,`, `\=`, `\\` in values. */
function splitTerms(input: string): string[] {
  const terms: string[] = [];
  let current = '';
  for (let i = 0; i < input.length; i++) {
    const c = input[i] as string;
    if (c === '\\' && i + 1 < input.length) {
      current += c + (input[i + 1] as string);
      i++;
    } else if (c === ',') {
      terms.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  terms.push(current);
  return terms;
}

function unescape(value: string): string {
  return value.replace(/\\(.)/g, '$1');
}

/** Index of the first unescaped occurrence of `needle`, or -1. */
function indexUnescaped(s: string, needle: string): number {
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\') {
      i++;
      continue;
    }
    if (s.startsWith(needle, i)) return i;
  }
  return -1;
}

/**
 * Parses a field selector against a kind. Empty or absent = everything.
 * @throws StatusError 400 for a malformed term or an unsupported field.
 */
export function parseFieldSelector(
  input: string | undefined,
  kind: Pick<KindSpec, 'group' | 'plural'>,
): ParsedFieldSelector {
  if (input === undefined || input.trim() === '') return EVERYTHING;
  const allowed = selectableFields(kind);
  const requirements: FieldRequirement[] = [];
  for (const rawTerm of splitTerms(input)) {
    const term = rawTerm.trim();
    if (term === '') continue;
    let field: string;
    let operator: FieldRequirement['operator'];
    let value: string;
    const ne = indexUnescaped(term, '!=');
    const eq = indexUnescaped(term, '=');
    if (ne >= 0 && (eq < 0 || ne < eq)) {
      field = term.slice(0, ne);
      operator = 'NotEquals';
      value = term.slice(ne + 2);
    } else if (eq >= 0) {
      field = term.slice(0, eq);
      operator = 'Equals';
      value = term.slice(term.startsWith('==', eq) ? eq + 2 : eq + 1);
    } else {
      throw badRequest(`invalid field selector: "${term}": expected an operator ('=', '==' or '!=')`);
    }
    field = field.trim();
    if (!allowed.includes(field)) throw badRequest(`field label not supported: ${field}`);
    requirements.push({ field, operator, value: unescape(value) });
  }
  return { requirements };
}

/** The string value of a dotted field path (`spec.nodeName`), `` when absent. */
export function fieldValue(obj: KubeObject, field: string): string {
  let current: unknown = obj;
  for (const part of field.split('.')) {
    if (current === null || typeof current !== 'object') return '';
    current = (current as Record<string, unknown>)[part];
  }
  if (current === undefined || current === null) {
    // As the real server: an unset boolean field reads as "false".
    return field === 'spec.hostNetwork' || field === 'spec.unschedulable' ? 'false' : '';
  }
  if (typeof current === 'object') {
    // `source` on events is an object; the real server selects on source.component.
    if (field === 'source') {
      const component = (current as Record<string, unknown>)['component'];
      return typeof component === 'string' ? component : '';
    }
    return JSON.stringify(current);
  }
  return String(current);
}

export function matchesFieldSelector(selector: ParsedFieldSelector, obj: KubeObject): boolean {
  for (const r of selector.requirements) {
    const actual = fieldValue(obj, r.field);
    if (r.operator === 'Equals' ? actual !== r.value : actual === r.value) return false;
  }
  return true;
}

/** The value the selector requires for `field` with `=`, if any (used to pick an index). */
export function requiredFieldValue(selector: ParsedFieldSelector, field: string): string | undefined {
  for (const r of selector.requirements) if (r.field === field && r.operator === 'Equals') return r.value;
  return undefined;
}
