/**
 * Finds, reads and validates scenarios: a built-in name (a YAML file in `scenarios/`) or the
 * path of a YAML file. Problems are ScenarioErrors (kind `config`: exit code 2) whose
 * message lists every problem with its field path.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { MeshbotError } from '../../errors.js';
import { didYouMean } from '../../grammar/did-you-mean.js';
import { scenariosDir } from '../../project-paths.js';
import { crossFieldProblems } from './check-scenario.js';
import { describeIssues } from './describe-issues.js';
import { scenarioSchema, type Scenario } from './scenario-schema.js';

export class ScenarioError extends MeshbotError {
  /** One line per problem. */
  readonly problems: string[];

  constructor(message: string, problems: string[] = [], hint?: string) {
    super(
      'config',
      problems.length ? `${message}\n${problems.map((p) => `  ${p}`).join('\n')}` : message,
      hint,
    );
    this.name = 'ScenarioError';
    this.problems = problems;
  }
}

/** Names of the built-in scenarios (the YAML files in `scenarios/`). */
export function builtinScenarioNames(): string[] {
  const dir = scenariosDir();
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

/** Validates a parsed scenario (e.g. from YAML or a test); `source` names it in messages. */
export function parseScenario(input: unknown, source = 'scenario'): Scenario {
  if (typeof input === 'object' && input !== null && 'clusters' in input) {
    throw new ScenarioError(
      `${source} is a set of clusters (it has clusters:), not the scenario of one cluster`,
      [],
      'Run it with meshbot sandbox --scenario FILE, or startClusters() in code (docs/sandbox.md#several-clusters).',
    );
  }
  const result = scenarioSchema.safeParse(input);
  if (!result.success) {
    throw new ScenarioError(
      `${source} is not a valid scenario:`,
      describeIssues(result.error, input, scenarioSchema),
      'See docs/sandbox.md for the scenario format.',
    );
  }
  const problems = crossFieldProblems(result.data);
  if (problems.length) {
    throw new ScenarioError(
      `${source} is not a valid scenario:`,
      problems,
      'See docs/sandbox.md for the scenario format.',
    );
  }
  return result.data;
}

export function parseScenarioYaml(text: string, source = 'scenario'): Scenario {
  const doc = YAML.parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ScenarioError(
      `${source} is not valid YAML:`,
      doc.errors.slice(0, 5).map((e) => e.message.split('\n')[0] ?? e.message),
    );
  }
  return parseScenario(doc.toJS(), source);
}

function looksLikePath(nameOrPath: string): boolean {
  return nameOrPath.includes('/') || nameOrPath.includes(path.sep) || /\.ya?ml$/i.test(nameOrPath);
}

/** Resolves a built-in scenario name or a file path to the file to read. */
export function resolveScenarioFile(nameOrPath: string): string {
  if (!looksLikePath(nameOrPath)) {
    const builtin = path.join(scenariosDir(), `${nameOrPath}.yaml`);
    if (existsSync(builtin)) return builtin;
    if (existsSync(nameOrPath)) return path.resolve(nameOrPath);
    const names = builtinScenarioNames();
    const guess = didYouMean(nameOrPath, names);
    throw new ScenarioError(
      `unknown scenario "${nameOrPath}"${guess ? ` (did you mean "${guess}"?)` : ''}; built-in scenarios: ${names.join(', ')}`,
      [],
      'Pass a built-in scenario name or the path of a YAML scenario file.',
    );
  }
  const file = path.resolve(nameOrPath);
  if (!existsSync(file)) {
    throw new ScenarioError(
      `scenario file ${nameOrPath} does not exist`,
      [],
      `Built-in scenarios: ${builtinScenarioNames().join(', ')}`,
    );
  }
  return file;
}

/** Loads and validates a built-in scenario by name, or a scenario file by path. */
export function loadScenario(nameOrPath: string): Scenario {
  const file = resolveScenarioFile(nameOrPath);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ScenarioError(
      `cannot read scenario file ${nameOrPath}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const source = file.startsWith(scenariosDir())
    ? `built-in scenario "${path.basename(file, '.yaml')}"`
    : `scenario file ${nameOrPath}`;
  return parseScenarioYaml(text, source);
}
