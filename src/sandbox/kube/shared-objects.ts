/**
 * Structural sharing for the objects the sandbox's store keeps. A stored object is frozen
 * (deeply, its strings interned): the store, its watch history, the in-process informers and
 * shared watches all hold the same instance, and a write stores a new object that shares every
 * part it did not change with the one before. Nothing can change a stored object in place (a
 * write to a frozen object throws in strict mode code), so sharing it is safe.
 *
 * - `ownCopy` copies what a caller hands to the store: the parts it may still change (not
 *   frozen) are copied, frozen parts (taken from stored objects) are shared as they are.
 * - `freezeStored` freezes a copy the store is about to keep, interning its strings; it stops
 *   at parts already frozen, so a write costs what it changed, not the whole object.
 * - `draftOf` is what a writer changes: a fresh top level, metadata, spec and status (shallow
 *   copies), everything deeper shared and frozen. A writer replaces what it changes below that
 *   (`status.conditions = [...]`), it does not change it in place.
 */
import { internString } from './intern-strings.js';
import type { KubeObject } from './store-types.js';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A copy of `value` in which every frozen part is shared and every other part copied. */
export function ownCopy<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  if (Array.isArray(value)) return value.map((v: unknown) => ownCopy(v)) as T;
  const proto = Object.getPrototypeOf(value) as unknown;
  // JSON-like data only; anything else (a Date, a Buffer) is copied as structuredClone does.
  if (proto !== Object.prototype && proto !== null) return structuredClone(value);
  const src = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key in src) out[key] = ownCopy(src[key]);
  return out as T;
}

/** `ownCopy` of an object whose top level and metadata are always fresh (the store sets fields there). */
export function ownObjectCopy(obj: KubeObject): KubeObject {
  const out = Object.isFrozen(obj) ? { ...obj } : ownCopy(obj);
  if (Object.isFrozen(out.metadata)) out.metadata = { ...out.metadata };
  return out;
}

/** Interns the strings of `value` and freezes it, deeply, in place; stops at frozen parts. */
export function freezeStored<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  if (Array.isArray(value)) {
    const arr = value as unknown[];
    for (let i = 0; i < arr.length; i++) {
      const v = arr[i];
      if (typeof v === 'string') arr[i] = internString(v);
      else if (typeof v === 'object' && v !== null) freezeStored(v);
    }
  } else {
    const obj = value as Record<string, unknown>;
    for (const key in obj) {
      const v = obj[key];
      if (typeof v === 'string') obj[key] = internString(v);
      else if (typeof v === 'object' && v !== null) freezeStored(v);
    }
  }
  return Object.freeze(value);
}

/**
 * What a writer changes of a stored object: its top level, metadata, spec and status are
 * fresh shallow copies; everything below is the stored (frozen) value, to be replaced, not
 * changed in place.
 */
export function draftOf<T extends KubeObject>(stored: T): T {
  const draft = { ...stored, metadata: { ...stored.metadata } } as T;
  const d = draft as Record<string, unknown>;
  if (isPlainObject(d['spec'])) d['spec'] = { ...d['spec'] };
  if (isPlainObject(d['status'])) d['status'] = { ...d['status'] };
  return draft;
}
