/**
 * The order checks wait on each other, and its validation. A check waits for the fatal checks
 * of the categories its category depends on (directly or through others), the fatal checks
 * listed before it in its category, and the checks it `requires`. A catalog whose graph has a
 * cycle would wait forever; `validateCheckGraph` refuses it when the catalog loads.
 */
import { MeshbotError } from '../../errors.js';
import type { CategoryDefinition, CategoryId, CheckDefinition } from './check-types.js';

/** Per check id, the checks it waits for. */
export function prerequisitesOf(
  categories: readonly CategoryDefinition[],
  checks: readonly CheckDefinition[],
): Map<string, CheckDefinition[]> {
  const byId = new Map(checks.map((c) => [c.id, c]));
  const upstreamOf = (id: CategoryId): Set<CategoryId> => {
    const seen = new Set<CategoryId>();
    const visit = (c: CategoryId): void => {
      for (const dep of categories.find((x) => x.id === c)?.dependsOn ?? []) {
        if (!seen.has(dep)) {
          seen.add(dep);
          visit(dep);
        }
      }
    };
    visit(id);
    return seen;
  };
  const out = new Map<string, CheckDefinition[]>();
  for (const check of checks) {
    const upstream = upstreamOf(check.category);
    const fromCategories = checks.filter((c) => c.fatal && upstream.has(c.category));
    const sameCategory = checks.filter((c) => c.category === check.category);
    const earlierFatal = sameCategory.slice(0, sameCategory.indexOf(check)).filter((c) => c.fatal);
    const required = (check.requires ?? []).flatMap((id) => byId.get(id) ?? []);
    out.set(check.id, [...new Set([...fromCategories, ...earlierFatal, ...required])]);
  }
  return out;
}

function invalid(problem: string): MeshbotError {
  return new MeshbotError(
    'internal',
    `the check catalog is invalid: ${problem}`,
    'This is a bug in meshbot; report it.',
  );
}

/**
 * Throws MeshbotError('internal') when ids repeat, a check names an unknown category or
 * requires an unknown check, a category depends on an unknown one, or checks wait on each
 * other in a cycle. Returns the checks, so a catalog can be validated where it is defined.
 */
export function validateCheckGraph<T extends readonly CheckDefinition[]>(
  categories: readonly CategoryDefinition[],
  checks: T,
): T {
  const categoryIds = new Set(categories.map((c) => c.id));
  for (const c of categories) {
    for (const dep of c.dependsOn) {
      if (!categoryIds.has(dep)) throw invalid(`category ${c.id} depends on unknown category ${dep}`);
    }
  }
  const ids = new Set<string>();
  for (const c of checks) {
    if (ids.has(c.id)) throw invalid(`check id ${c.id} appears twice`);
    ids.add(c.id);
    if (!categoryIds.has(c.category)) throw invalid(`check ${c.id} is in unknown category ${c.category}`);
  }
  for (const c of checks) {
    for (const r of c.requires ?? []) {
      if (!ids.has(r)) throw invalid(`check ${c.id} requires unknown check ${r}`);
    }
  }
  const prerequisites = prerequisitesOf(categories, checks);
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, path: string[]): void => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') {
      throw invalid(
        `checks wait on each other in a cycle: ${[...path.slice(path.indexOf(id)), id].join(' -> ')}`,
      );
    }
    state.set(id, 'visiting');
    for (const pre of prerequisites.get(id) ?? []) visit(pre.id, [...path, id]);
    state.set(id, 'done');
  };
  for (const c of checks) visit(c.id, []);
  return checks;
}
