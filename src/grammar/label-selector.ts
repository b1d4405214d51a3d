/**
 * Validates a Kubernetes label selector as typed by a person (`app=web,tier!=db`,
 * `env in (prod,staging)`, `!canary`), so a typo is a usage error, not the API server's 400.
 */
import { UsageError } from '../errors.js';
import { printable } from './targets.js';

const KEY = '(?:[a-z0-9A-Z][-a-z0-9A-Z_.]*/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]{0,61}[a-z0-9A-Z])?';
const VALUE = '([a-z0-9A-Z]([-a-z0-9A-Z_.]{0,61}[a-z0-9A-Z])?)?';
const REQUIREMENT = new RegExp(
  `^(?:!?${KEY}|${KEY}\\s*(?:=|==|!=)\\s*${VALUE}|${KEY}\\s+(?:in|notin)\\s+\\(\\s*${VALUE}(?:\\s*,\\s*${VALUE})*\\s*\\))$`,
);

/** Splits on commas outside parentheses. */
function requirements(selector: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(current.trim());
      current = '';
    } else current += ch;
  }
  out.push(current.trim());
  return out;
}

export function parseLabelSelector(raw: string): string {
  const selector = raw.trim();
  if (selector === '' || !requirements(selector).every((r) => REQUIREMENT.test(r))) {
    throw new UsageError(
      `label selector "${printable(raw)}" is not valid`,
      'Write it as kubectl does: app=web,tier!=db, env in (prod,staging), or !canary.',
    );
  }
  return selector;
}
