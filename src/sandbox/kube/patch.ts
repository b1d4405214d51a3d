/**
 * The three patch types of the Kubernetes API (`PATCH` with their content types):
 * - JSON merge patch (RFC 7386): objects merge, null deletes, everything else replaces;
 * - JSON patch (RFC 6902), applied with fast-json-patch;
 * - strategic merge patch: a merge patch whose lists of known fields merge by a key
 *   (containers by name, ports by containerPort/port, ...) with the `$patch`, `$retainKeys`,
 *   `$deleteFromPrimitiveList/` and `$setElementOrder/` directives.
 * A malformed patch is a 400 BadRequest, one that cannot apply a 422 Invalid, an unknown
 * content type a 415.
 */
import jsonpatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { parseApiVersion } from './kinds.js';
import type { KubeObject } from './store-types.js';
import { badRequest, invalid, StatusError, unsupportedMediaType } from './status-error.js';

export type PatchContentType =
  'application/merge-patch+json' | 'application/strategic-merge-patch+json' | 'application/json-patch+json';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: unknown };

function isPlainObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Applies a patch to an object and returns the patched copy; `obj` is not modified.
 * `patch` is the parsed body, or its raw text.
 * @throws StatusError 400 (malformed patch), 422 (a JSON patch operation that cannot apply),
 *   415 (an unsupported content type, including `application/apply-patch+yaml` for now).
 */
export function applyPatch(obj: KubeObject, patch: unknown, contentType: string): KubeObject {
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (
    type !== 'application/merge-patch+json' &&
    type !== 'application/strategic-merge-patch+json' &&
    type !== 'application/json-patch+json'
  ) {
    throw unsupportedMediaType(contentType);
  }
  const body = typeof patch === 'string' ? parseBody(patch) : patch;
  let result: unknown;
  if (type === 'application/json-patch+json') {
    result = applyJsonPatch(obj, body);
  } else {
    if (!isPlainObject(body)) {
      throw badRequest(
        `error decoding patch: a ${type === 'application/merge-patch+json' ? 'merge' : 'strategic merge'} patch must be a JSON object`,
      );
    }
    result =
      type === 'application/merge-patch+json'
        ? applyMergePatch(structuredClone(obj), body)
        : applyStrategicMergePatch(structuredClone(obj), body);
  }
  if (!isPlainObject(result) || !isPlainObject(result['metadata'])) {
    throw badRequest("the patch removed the object's metadata");
  }
  return result as KubeObject;
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text) as Json;
  } catch (err) {
    throw badRequest(`error decoding patch: ${(err as Error).message}`);
  }
}

// ---------------------------------------------------------------------------------------------
// JSON merge patch (RFC 7386)

/** RFC 7386 MergePatch(target, patch). Neither argument is modified. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return structuredClone(patch);
  const result: JsonObject = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// JSON patch (RFC 6902)

const MALFORMED_JSON_PATCH = new Set([
  'SEQUENCE_NOT_AN_ARRAY',
  'OPERATION_NOT_AN_OBJECT',
  'OPERATION_OP_INVALID',
  'OPERATION_PATH_INVALID',
  'OPERATION_FROM_REQUIRED',
  'OPERATION_VALUE_REQUIRED',
  'OPERATION_VALUE_CANNOT_CONTAIN_UNDEFINED',
]);

function applyJsonPatch(obj: KubeObject, body: unknown): unknown {
  if (!Array.isArray(body))
    throw badRequest('error decoding patch: a JSON patch must be a JSON array of operations');
  const doc = structuredClone(obj);
  try {
    return jsonpatch.applyPatch(doc, body as Operation[], true, true).newDocument;
  } catch (err) {
    if (err instanceof StatusError) throw err;
    const name = (err as { name?: string }).name ?? '';
    const message = ((err as Error).message ?? String(err)).split('\n')[0] ?? '';
    if (MALFORMED_JSON_PATCH.has(name)) throw badRequest(`invalid JSON patch: ${message}`);
    const op = (err as { operation?: { path?: string } }).operation;
    throw invalid(
      { group: parseApiVersion(obj.apiVersion ?? '').group, kind: obj.kind ?? '' },
      obj.metadata?.name ?? '',
      [
        {
          field: op?.path ?? '',
          type: 'FieldValueInvalid',
          value: op?.path ?? '',
          detail: `json patch: ${message}`,
        },
      ],
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Strategic merge patch

/** How a list field merges; absent = the patch's list replaces the original. */
type ListStrategy = { mergeKey: (item: JsonObject) => string } | 'primitive-merge';

const byKey = (key: string) => (): string => key;

/** Lists merged by key, by field name (the patchMergeKey tags of k8s.io/api for the kinds we serve). */
const LIST_STRATEGIES: Record<string, ListStrategy> = {
  containers: { mergeKey: byKey('name') },
  initContainers: { mergeKey: byKey('name') },
  ephemeralContainers: { mergeKey: byKey('name') },
  env: { mergeKey: byKey('name') },
  volumes: { mergeKey: byKey('name') },
  volumeMounts: { mergeKey: byKey('mountPath') },
  volumeDevices: { mergeKey: byKey('devicePath') },
  imagePullSecrets: { mergeKey: byKey('name') },
  resourceClaims: { mergeKey: byKey('name') },
  schedulingGates: { mergeKey: byKey('name') },
  // Container ports merge by containerPort, Service ports by port.
  ports: { mergeKey: (item) => ('containerPort' in item ? 'containerPort' : 'port') },
  conditions: { mergeKey: byKey('type') },
  ownerReferences: { mergeKey: byKey('uid') },
  hostAliases: { mergeKey: byKey('ip') },
  podIPs: { mergeKey: byKey('ip') },
  hostIPs: { mergeKey: byKey('ip') },
  topologySpreadConstraints: { mergeKey: byKey('topologyKey') },
  // Node status addresses merge by type.
  addresses: { mergeKey: byKey('type') },
  finalizers: 'primitive-merge',
};

/** The directive value returned for `$patch: delete` on a map. */
const DELETE = Symbol('delete');

/** Applies a strategic merge patch; neither argument is modified. */
export function applyStrategicMergePatch(target: unknown, patch: JsonObject): unknown {
  const result = mergeMap(target, patch);
  return result === DELETE ? {} : result;
}

function mergeMap(original: unknown, patch: JsonObject): unknown | typeof DELETE {
  const directive = patch['$patch'];
  if (directive !== undefined) {
    if (directive === 'delete') return DELETE;
    if (directive === 'replace') {
      const { $patch: _ignored, ...rest } = patch;
      return stripDirectives(rest);
    }
    if (directive !== 'merge')
      throw badRequest(`unknown patch directive: $patch: ${JSON.stringify(directive)}`);
  }
  const result: JsonObject = isPlainObject(original) ? { ...original } : {};
  const retainKeys = patch['$retainKeys'];
  if (retainKeys !== undefined) {
    if (!Array.isArray(retainKeys) || !retainKeys.every((k) => typeof k === 'string')) {
      throw badRequest('$retainKeys must be a list of strings');
    }
    for (const key of Object.keys(result)) if (!retainKeys.includes(key)) delete result[key];
  }
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch' || key === '$retainKeys' || key.startsWith('$setElementOrder/')) continue;
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      const field = key.slice('$deleteFromPrimitiveList/'.length);
      if (!Array.isArray(value)) throw badRequest(`${key} must be a list`);
      const current = result[field];
      if (Array.isArray(current)) result[field] = current.filter((v) => !value.some((d) => deepEqual(d, v)));
      continue;
    }
    if (key.startsWith('$')) throw badRequest(`unknown patch directive: ${key}`);
    if (value === null) {
      delete result[key];
    } else if (Array.isArray(value)) {
      result[key] = mergeList(key, result[key], value);
    } else if (isPlainObject(value)) {
      const merged = mergeMap(result[key], value);
      if (merged === DELETE) delete result[key];
      else result[key] = merged;
    } else {
      result[key] = value;
    }
  }
  return result;
}

function mergeList(field: string, original: unknown, patch: unknown[]): unknown[] {
  const replaceAll = patch.some((item) => isPlainObject(item) && item['$patch'] === 'replace');
  if (replaceAll) {
    return patch
      .filter((item) => !(isPlainObject(item) && item['$patch'] === 'replace'))
      .map((item) => stripDirectives(item));
  }
  const strategy = LIST_STRATEGIES[field];
  const current = Array.isArray(original) ? [...(original as unknown[])] : [];
  if (strategy === 'primitive-merge') {
    for (const item of patch)
      if (!current.some((c) => deepEqual(c, item))) current.push(structuredClone(item));
    return current;
  }
  if (strategy === undefined || !patch.every(isPlainObject)) {
    return patch.map((item) => stripDirectives(item));
  }
  for (const item of patch as JsonObject[]) {
    const mergeKey = strategy.mergeKey(item);
    const keyValue = item[mergeKey];
    if (keyValue === undefined) {
      throw badRequest(`map: ${JSON.stringify(item)} does not contain declared merge key: ${mergeKey}`);
    }
    const index = current.findIndex((c) => isPlainObject(c) && deepEqual(c[mergeKey], keyValue));
    if (item['$patch'] === 'delete') {
      if (index >= 0) {
        // Remove every element with this key.
        for (let i = current.length - 1; i >= 0; i--) {
          const c = current[i];
          if (isPlainObject(c) && deepEqual(c[mergeKey], keyValue)) current.splice(i, 1);
        }
      }
      continue;
    }
    if (index >= 0) {
      const merged = mergeMap(current[index], item);
      if (merged === DELETE) current.splice(index, 1);
      else current[index] = merged;
    } else {
      const added = mergeMap({}, item);
      if (added !== DELETE) current.push(added);
    }
  }
  return current;
}

/** A copy without `$`-directives and null map values (a patch value used as new content). */
function stripDirectives(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => stripDirectives(v));
  if (!isPlainObject(value)) return value;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) {
    if (k.startsWith('$') || v === null) continue;
    out[k] = stripDirectives(v);
  }
  return out;
}

const hasOwn = Object.prototype.hasOwnProperty;

/** Structural equality of JSON values. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ao = a as JsonObject;
  const bo = b as JsonObject;
  // for-in with own-key checks, not Object.keys: no key arrays (called on every store write).
  let aCount = 0;
  for (const k in ao) {
    if (!hasOwn.call(ao, k)) continue;
    aCount += 1;
    if (!hasOwn.call(bo, k) || !deepEqual(ao[k], bo[k])) return false;
  }
  let bCount = 0;
  for (const k in bo) if (hasOwn.call(bo, k)) bCount += 1;
  return aCount === bCount;
}
