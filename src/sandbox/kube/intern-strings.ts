/**
 * String interning for the objects the sandbox keeps: every structured clone or JSON parse of
 * an object makes new copies of its strings, so 10,000 pods held by the store, its watch history
 * and the controllers' caches carried hundreds of thousands of copies of the same timestamps,
 * images, condition types and label values. Interning replaces each string value of an object
 * (in place) with one shared instance. It changes no value, only which equal string is held.
 *
 * The table is bounded: once full it starts again empty (strings already shared stay shared),
 * so unique values such as uids cannot make it grow without limit.
 */

/** Longer strings are rare and seldom repeated: not worth a table entry. */
const MAX_LENGTH = 256;
const MAX_ENTRIES = 100_000;

let table = new Map<string, string>();

export function internString(s: string): string {
  if (s.length > MAX_LENGTH) return s;
  const shared = table.get(s);
  if (shared !== undefined) return shared;
  if (table.size >= MAX_ENTRIES) table = new Map();
  table.set(s, s);
  return s;
}

/** Replaces, in place, every string value in `value` (objects and arrays, at any depth) with its interned copy. */
export function internStrings<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const arr = value as unknown[];
    for (let i = 0; i < arr.length; i++) {
      const v = arr[i];
      if (typeof v === 'string') arr[i] = internString(v);
      else if (typeof v === 'object' && v !== null) internStrings(v);
    }
    return value;
  }
  const obj = value as Record<string, unknown>;
  // for-in, not Object.keys: no array per object (objects from JSON or clones have no
  // inherited enumerable properties).
  for (const key in obj) {
    const v = obj[key];
    if (typeof v === 'string') obj[key] = internString(v);
    else if (typeof v === 'object' && v !== null) internStrings(v);
  }
  return value;
}
