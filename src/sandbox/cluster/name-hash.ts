/**
 * Names as the real controllers make them: the pod-template-hash (FNV-32a of the template,
 * encoded with Kubernetes' SafeEncodeString alphabet) and random-looking, deterministic
 * five-character suffixes for generated names.
 */

/** Kubernetes' `rand.SafeEncodeString` alphabet: no vowels, no confusable characters. */
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export function fnv32a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function safeEncode(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) out += ALPHABET[text.charCodeAt(i) % ALPHABET.length];
  return out;
}

/** A stable JSON rendering (sorted keys), so equal templates hash equally. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The pod-template-hash of a pod template, as the deployment controller computes it. */
export function podTemplateHash(template: unknown, collisionCount = 0): string {
  return safeEncode(String(fnv32a(stableJson(template) + (collisionCount ? String(collisionCount) : ''))));
}

/** A deterministic five-character suffix for the `n`th name generated from `seed`. */
export function nameSuffix(seed: string, n: number): string {
  let h = fnv32a(`${seed}#${n}`);
  let out = '';
  for (let i = 0; i < 5; i++) {
    out += ALPHABET[h % ALPHABET.length];
    h = Math.floor(h / ALPHABET.length) ^ (Math.imul(h, 0x9e3779b1) >>> 7);
    h >>>= 0;
  }
  return out;
}
