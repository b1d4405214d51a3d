/**
 * Server-side apply (`kubectl apply --server-side`, `application/apply-patch+yaml`) with field
 * ownership in `metadata.managedFields`, after kube-apiserver's fieldmanager and
 * structured-merge-diff, simplified:
 * - a field set is the set of leaf paths of an object (maps recurse; a list whose items all
 *   have a `name` is keyed by it, as containers, env, ports and volumes are; other lists are
 *   atomic), written as FieldsV1 (`f:spec`, `k:{"name":"web"}`, `.`);
 * - applying sets the applied fields, removes fields this manager applied before and no longer
 *   does (unless another manager owns them too), and records the applied set as the manager's;
 * - a field the applied config changes that another manager owns is a conflict, reported as
 *   the real server does (409, `Apply failed with 1 conflict: conflict with "kubectl-patch"
 *   using apps/v1 at TIME: .spec.replicas`), unless `force=true`, which takes it over;
 * - other writes (update, patch) record an `Update` entry for the fields they changed, but
 *   only on objects that already have managedFields; an object first applied without them
 *   gets a `before-first-apply` manager owning what it had, as the real server does for
 *   objects that predate field tracking.
 * Not modelled: schemas (list types, map keys other than `name`), subresource managers.
 */
import YAML from 'yaml';
import { statusFailure } from './api-messages.js';
import { badRequest, type StatusError } from './status-error.js';
import type { KubeObject } from './store-types.js';

type Json = unknown;
type Tree = Record<string, Json>;

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Tree;
}

/** A leaf path as a string key: segments (`f:NAME` or `k:{"name":"x"}`) joined by `\u0000`. */
type PathKey = string;

const SEP = '\u0000';
const IGNORED_TOP = new Set(['apiVersion', 'kind', 'status']);
const IGNORED_META = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
]);

function isMap(v: Json): v is Tree {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function keyedByName(list: Json[]): boolean {
  return list.length > 0 && list.every((i) => isMap(i) && typeof i['name'] === 'string');
}

function collect(value: Json, prefix: string[], out: Set<PathKey>): void {
  if (isMap(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) collect(v, [...prefix, `f:${k}`], out);
    return;
  }
  if (Array.isArray(value) && keyedByName(value)) {
    for (const item of value as Tree[]) {
      const seg = `k:${JSON.stringify({ name: item['name'] })}`;
      out.add([...prefix, seg, '.'].join(SEP));
      for (const [k, v] of Object.entries(item)) collect(v, [...prefix, seg, `f:${k}`], out);
    }
    return;
  }
  out.add(prefix.join(SEP));
}

/** The leaf paths an object sets (identity, status and server-set metadata excluded). */
export function fieldSet(obj: Tree): Set<PathKey> {
  const out = new Set<PathKey>();
  for (const [k, v] of Object.entries(obj)) {
    if (IGNORED_TOP.has(k)) continue;
    if (k === 'metadata' && isMap(v)) {
      for (const [mk, mv] of Object.entries(v)) {
        if (!IGNORED_META.has(mk)) collect(mv, ['f:metadata', `f:${mk}`], out);
      }
      continue;
    }
    collect(v, [`f:${k}`], out);
  }
  return out;
}

/** FieldsV1 tree of a set of leaf paths. */
export function toFieldsV1(paths: Iterable<PathKey>): Tree {
  const root: Tree = {};
  for (const path of paths) {
    let node = root;
    for (const seg of path.split(SEP)) {
      if (!isMap(node[seg])) node[seg] = {};
      node = node[seg] as Tree;
    }
  }
  return root;
}

/** Leaf paths of a FieldsV1 tree. */
export function fromFieldsV1(tree: Json, prefix: string[] = [], out = new Set<PathKey>()): Set<PathKey> {
  if (!isMap(tree) || Object.keys(tree).length === 0) {
    if (prefix.length > 0) out.add(prefix.join(SEP));
    return out;
  }
  for (const [k, v] of Object.entries(tree)) fromFieldsV1(v, [...prefix, k], out);
  return out;
}

/** `.spec.replicas`, `.spec.template.spec.containers[name="web"].image` (fieldpath.Path String). */
function printPath(path: PathKey): string {
  return path
    .split(SEP)
    .filter((s) => s !== '.')
    .map((s) => {
      if (s.startsWith('f:')) return `.${s.slice(2)}`;
      const key = JSON.parse(s.slice(2)) as Record<string, string>;
      return `[${Object.entries(key)
        .map(([k, v]) => `${k}="${v}"`)
        .join(',')}]`;
    })
    .join('');
}

/** The value at a leaf path, or undefined. */
function valueAt(obj: Json, path: PathKey): Json {
  let node: Json = obj;
  for (const seg of path.split(SEP)) {
    if (seg === '.') return node;
    if (seg.startsWith('f:')) {
      if (!isMap(node)) return undefined;
      node = node[seg.slice(2)];
    } else {
      if (!Array.isArray(node)) return undefined;
      const name = (JSON.parse(seg.slice(2)) as { name: string }).name;
      node = node.find((i) => isMap(i) && i['name'] === name);
    }
    if (node === undefined) return undefined;
  }
  return node;
}

function removeAt(obj: Tree, path: PathKey): void {
  const segs = path.split(SEP);
  if (segs[segs.length - 1] === '.') segs.pop();
  const parents: Array<{ container: Tree | Json[]; key: string | number }> = [];
  let node: Json = obj;
  for (const seg of segs) {
    if (seg.startsWith('f:')) {
      if (!isMap(node)) return;
      parents.push({ container: node, key: seg.slice(2) });
      node = node[seg.slice(2)];
    } else {
      if (!Array.isArray(node)) return;
      const name = (JSON.parse(seg.slice(2)) as { name: string }).name;
      const index = node.findIndex((i) => isMap(i) && i['name'] === name);
      if (index < 0) return;
      parents.push({ container: node, key: index });
      node = node[index];
    }
    if (node === undefined) return;
  }
  // Remove the leaf, then parents left empty.
  for (let i = parents.length - 1; i >= 0; i--) {
    const { container, key } = parents[i]!;
    if (Array.isArray(container)) container.splice(key as number, 1);
    else delete container[key as string];
    const empty = Array.isArray(container) ? container.length === 0 : Object.keys(container).length === 0;
    if (!empty || i === 0) break;
  }
}

function merge(into: Json, applied: Json): Json {
  if (isMap(into) && isMap(applied)) {
    const out: Tree = { ...into };
    for (const [k, v] of Object.entries(applied)) out[k] = merge(into[k], v);
    return out;
  }
  if (Array.isArray(into) && Array.isArray(applied) && keyedByName(applied) && keyedByName(into)) {
    const out = [...into] as Tree[];
    for (const item of applied as Tree[]) {
      const index = out.findIndex((i) => i['name'] === item['name']);
      if (index < 0) out.push(structuredClone(item));
      else out[index] = merge(out[index], item) as Tree;
    }
    return out;
  }
  return structuredClone(applied);
}

function sameValue(a: Json, b: Json): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function entriesOf(obj: KubeObject): ManagedFieldsEntry[] {
  const raw = obj.metadata['managedFields'];
  return Array.isArray(raw) ? (structuredClone(raw) as ManagedFieldsEntry[]) : [];
}

function printManager(e: ManagedFieldsEntry): string {
  return e.operation === 'Update' ? `"${e.manager}" using ${e.apiVersion} at ${e.time}` : `"${e.manager}"`;
}

function conflictError(conflicts: Array<{ entry: ManagedFieldsEntry; path: PathKey }>): StatusError {
  let message: string;
  if (conflicts.length === 1) {
    const c = conflicts[0]!;
    message = `Apply failed with 1 conflict: conflict with ${printManager(c.entry)}: ${printPath(c.path)}`;
  } else {
    const byManager = new Map<string, string[]>();
    for (const c of conflicts) {
      const m = printManager(c.entry);
      byManager.set(m, [...(byManager.get(m) ?? []), printPath(c.path)]);
    }
    const lines: string[] = [];
    for (const m of [...byManager.keys()].sort()) {
      lines.push(`conflicts with ${m}:`, ...byManager.get(m)!.map((p) => `- ${p}`));
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return statusFailure(409, 'Conflict', message, {
    causes: conflicts.map((c) => ({
      reason: 'FieldManagerConflict',
      message: `conflict with ${printManager(c.entry)}`,
      field: printPath(c.path),
    })),
  });
}

/**
 * Parses an apply patch body (YAML or JSON).
 * @throws StatusError 400 when it is not an object.
 */
export function parseApplyPatch(text: string): KubeObject {
  let parsed: unknown;
  try {
    parsed = YAML.parse(text);
  } catch (err) {
    throw badRequest(`error decoding YAML: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!isMap(parsed) || !isMap(parsed['metadata'])) {
    throw badRequest('error decoding patch: an apply patch must be an object with metadata');
  }
  return parsed as KubeObject;
}

/**
 * The object after applying `applied` as `manager` to `current` (undefined: it is created).
 * @throws StatusError 409 on conflicts without `force`.
 */
export function serverSideApply(opts: {
  current: KubeObject | undefined;
  applied: KubeObject;
  manager: string;
  force: boolean;
}): KubeObject {
  const { applied, manager } = opts;
  const appliedSet = fieldSet(applied);
  const entry = (paths: Set<PathKey>): ManagedFieldsEntry => ({
    manager,
    operation: 'Apply',
    apiVersion: applied.apiVersion,
    time: now(),
    fieldsType: 'FieldsV1',
    fieldsV1: toFieldsV1(paths),
  });
  if (!opts.current) {
    const created = structuredClone(applied);
    created.metadata['managedFields'] = [entry(appliedSet)];
    return created;
  }
  const current = opts.current;
  let entries = entriesOf(current);
  if (entries.length === 0) {
    entries = [
      {
        manager: 'before-first-apply',
        operation: 'Update',
        apiVersion: current.apiVersion,
        time: now(),
        fieldsType: 'FieldsV1',
        fieldsV1: toFieldsV1(fieldSet(current)),
      },
    ];
  }
  const mine = entries.find((e) => e.manager === manager && e.operation === 'Apply');
  const others = entries.filter((e) => e !== mine);
  const conflicts: Array<{ entry: ManagedFieldsEntry; path: PathKey }> = [];
  for (const path of appliedSet) {
    if (sameValue(valueAt(applied, path), valueAt(current, path))) continue;
    for (const other of others) {
      if (fromFieldsV1(other.fieldsV1).has(path)) conflicts.push({ entry: other, path });
    }
  }
  if (conflicts.length > 0 && !opts.force) throw conflictError(conflicts);

  let result = structuredClone(current) as Tree;
  const ownedByOthers = new Set<PathKey>();
  for (const other of others) for (const p of fromFieldsV1(other.fieldsV1)) ownedByOthers.add(p);
  for (const path of mine ? fromFieldsV1(mine.fieldsV1) : []) {
    if (!appliedSet.has(path) && !ownedByOthers.has(path)) removeAt(result, path);
  }
  const { metadata: appliedMeta, ...appliedRest } = applied;
  const { name: _n, namespace: _ns, managedFields: _mf, ...appliedMetaRest } = appliedMeta;
  result = merge(result, { ...appliedRest, metadata: appliedMetaRest }) as Tree;
  // Forced conflicts move to this manager.
  const taken = new Set(conflicts.map((c) => c.path));
  const kept = others
    .map((e) => {
      const paths = [...fromFieldsV1(e.fieldsV1)].filter((p) => !taken.has(p));
      return { ...e, fieldsV1: toFieldsV1(paths) };
    })
    .filter((e) => Object.keys(e.fieldsV1).length > 0);
  const out = result as KubeObject;
  out.metadata['managedFields'] = [...kept, entry(appliedSet)];
  return out;
}

/**
 * Records an Update by `manager` (a non-apply write) on an object whose fields are tracked:
 * the fields that changed become the manager's and leave the others'. Objects without
 * managedFields stay untracked.
 */
export function recordUpdate(next: KubeObject, current: KubeObject, manager: string): KubeObject {
  const entries = entriesOf(current);
  if (entries.length === 0) {
    delete next.metadata['managedFields'];
    return next;
  }
  const before = fieldSet(current);
  const after = fieldSet(next);
  const changed = new Set(
    [...after].filter((p) => !before.has(p) || !sameValue(valueAt(next, p), valueAt(current, p))),
  );
  const updated = entries
    .map((e) => {
      const paths = [...fromFieldsV1(e.fieldsV1)].filter((p) => after.has(p) && !changed.has(p));
      return { ...e, fieldsV1: toFieldsV1(paths) };
    })
    .filter((e) => !(e.manager === manager && e.operation === 'Update'))
    .filter((e) => Object.keys(e.fieldsV1).length > 0);
  const previous = entries.find((e) => e.manager === manager && e.operation === 'Update');
  const ownedBefore = previous ? [...fromFieldsV1(previous.fieldsV1)].filter((p) => after.has(p)) : [];
  const owned = new Set([...ownedBefore, ...changed]);
  if (owned.size > 0) {
    updated.push({
      manager,
      operation: 'Update',
      apiVersion: next.apiVersion,
      time: now(),
      fieldsType: 'FieldsV1',
      fieldsV1: toFieldsV1(owned),
    });
  }
  next.metadata['managedFields'] = updated;
  return next;
}

/** The field manager of a request: `fieldManager`, else the User-Agent up to its first `/`. */
export function fieldManagerOf(query: URLSearchParams, userAgent: string | undefined): string {
  const given = query.get('fieldManager');
  if (given) return given;
  return (userAgent ?? 'unknown').split('/')[0] || 'unknown';
}
