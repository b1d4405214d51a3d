/**
 * Reads a cluster-set scenario (cluster-set-schema.ts) into one resolved Scenario per cluster.
 * `readClusterSet` tells a cluster set (a YAML map with `clusters:`) from a plain scenario, so
 * `meshbot sandbox --scenario FILE` takes either.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { MeshbotError } from '../../errors.js';
import { clusterListProblem } from '../clusters/cluster-names.js';
import { describeIssues } from './describe-issues.js';
import { clusterSetSchema } from './cluster-set-schema.js';
import { loadScenario, parseScenario, resolveScenarioFile, ScenarioError } from './load-scenario.js';
import type { Scenario } from './scenario-schema.js';

/** One cluster of a sandbox: its name and its scenario. */
export interface ClusterSpec {
  name: string;
  scenario: Scenario;
}

const HINT = 'See docs/sandbox.md#several-clusters for the format of a set of clusters.';

/** Runs `work`; a MeshbotError it throws comes out prefixed `cluster NAME: `, same kind and hint. */
export function forCluster<T>(name: string, work: () => T): T {
  try {
    return work();
  } catch (err) {
    throw inCluster(name, err);
  }
}

/** The error, its message prefixed `cluster NAME: ` (a MeshbotError keeps its kind and hint). */
export function inCluster(name: string, err: unknown): Error {
  if (err instanceof MeshbotError) {
    return new MeshbotError(err.kind, `cluster ${name}: ${err.message}`, err.hint, { cause: err });
  }
  return new Error(`cluster ${name}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}

export function isClusterSetInput(input: unknown): boolean {
  return typeof input === 'object' && input !== null && !Array.isArray(input) && 'clusters' in input;
}

/**
 * Validates a parsed cluster set; `baseDir` resolves the clusters' scenario files given as
 * relative paths; `source` names it in messages.
 */
export function parseClusterSet(input: unknown, source: string, baseDir = process.cwd()): ClusterSpec[] {
  const result = clusterSetSchema.safeParse(input);
  if (!result.success) {
    throw new ScenarioError(
      `${source} is not a valid set of clusters:`,
      describeIssues(result.error, input, clusterSetSchema),
      HINT,
    );
  }
  const problem = clusterListProblem(result.data.clusters.map((c) => c.name));
  if (problem)
    throw new ScenarioError(`${source} is not a valid set of clusters:`, [`clusters: ${problem}`], HINT);
  return result.data.clusters.map((entry) =>
    forCluster(entry.name, () => {
      let scenario: Scenario;
      if (typeof entry.scenario === 'string') {
        const ref = entry.scenario;
        const relative = (ref.includes('/') || /\.ya?ml$/i.test(ref)) && !path.isAbsolute(ref);
        scenario = loadScenario(relative ? path.resolve(baseDir, ref) : ref);
      } else {
        scenario = parseScenario(entry.scenario, `${source}: its scenario`);
      }
      return { name: entry.name, scenario: { ...scenario, faults: [...scenario.faults, ...entry.faults] } };
    }),
  );
}

/**
 * The clusters of a cluster-set scenario named by a built-in name or path, or undefined when it
 * is a plain scenario (or not YAML at all: loading it as a scenario then says what is wrong).
 */
export function readClusterSet(nameOrPath: string): ClusterSpec[] | undefined {
  const file = resolveScenarioFile(nameOrPath);
  let input: unknown;
  try {
    input = YAML.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  if (!isClusterSetInput(input)) return undefined;
  return parseClusterSet(input, `scenario file ${nameOrPath}`, path.dirname(file));
}
