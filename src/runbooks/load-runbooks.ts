/**
 * Reads and validates runbooks: the built-in ones (`runbooks/` at the top of the project) and
 * an operator's own (`runbooksDir` in the config). A file that is not valid YAML, does not
 * match the schema, or whose steps do not hold together (unknown goto, unreachable step, a
 * command the grammar refuses) is a RunbookError naming the file, the field and what is
 * expected, at load time: never at click time.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { MeshbotError } from '../errors.js';
import { parseCommand, type MeshCommand } from '../grammar/parse-command.js';
import { runbooksDir } from '../project-paths.js';
import { describeIssues } from '../sandbox/scenario/describe-issues.js';
import { describeError } from '../errors.js';
import { isMutating } from '../steps/step-registry.js';
import {
  runbookSchema,
  VERDICTS,
  type RunbookOutcome,
  type RunbookSpec,
  type RunbookStepSpec,
} from './runbook-schema.js';
import { fillCommand, placeholdersIn, PLACEHOLDERS, SAMPLE_TARGETS } from './runbook-target.js';

export class RunbookError extends MeshbotError {
  readonly problems: string[];
  constructor(message: string, problems: string[] = []) {
    super(
      'config',
      problems.length ? `${message}\n${problems.map((p) => `  ${p}`).join('\n')}` : message,
      'See docs/runbooks.md for the runbook format; check a file with: meshbot runbook validate FILE',
    );
    this.name = 'RunbookError';
    this.problems = problems;
  }
}

export interface RunbookStep extends RunbookStepSpec {
  /** The command's name in the grammar, e.g. `endpoints`. */
  command: MeshCommand['name'];
  /** It changes the cluster: it always waits for a confirmation. */
  changesCluster: boolean;
}

export interface Runbook extends Omit<RunbookSpec, 'steps'> {
  steps: RunbookStep[];
  /** sha256 of the validated content (16 hex digits): a run refuses to continue on a changed runbook. */
  hash: string;
  /** The file it came from. */
  source: string;
  builtin: boolean;
}

function outcomeOf(step: RunbookStepSpec, verdict: keyof RunbookStepSpec['on']): RunbookOutcome {
  return step.on[verdict] ?? 'next';
}

/** Cross-field rules; one line per problem, with the field path. */
function crossFieldProblems(spec: RunbookSpec): { problems: string[]; commands: MeshCommand[] } {
  const problems: string[] = [];
  const commands: MeshCommand[] = [];
  const ids = new Map<string, number>();
  spec.steps.forEach((s, i) => {
    const seen = ids.get(s.id);
    if (seen !== undefined) problems.push(`steps[${i}].id: "${s.id}" is already the id of steps[${seen}]`);
    else ids.set(s.id, i);
  });
  const allowed = PLACEHOLDERS[spec.target];
  spec.steps.forEach((s, i) => {
    const unknown = placeholdersIn(s.run).filter((p) => !allowed.includes(p));
    if (unknown.length) {
      problems.push(
        `steps[${i}].run: unknown placeholder {{${unknown[0]}}}; a ${spec.target} runbook has ${allowed.map((p) => `{{${p}}}`).join(', ')}`,
      );
    } else {
      try {
        const cmd = parseCommand(fillCommand(s.run, SAMPLE_TARGETS[spec.target]));
        if (cmd.name === 'help' || cmd.name === 'runbook') {
          problems.push(
            `steps[${i}].run: expected a step command (endpoints, check, metrics, ...), got "${cmd.name}"`,
          );
        }
        commands.push(cmd);
      } catch (err) {
        problems.push(`steps[${i}].run: "${s.run}" is not a meshbot command: ${describeError(err).message}`);
      }
    }
    for (const v of VERDICTS) {
      const o = s.on[v];
      if (o === undefined) continue;
      if (typeof o === 'object' && 'goto' in o && !ids.has(o.goto)) {
        problems.push(
          `steps[${i}].on.${v}.goto: no step has the id "${o.goto}" (ids: ${[...ids.keys()].join(', ')})`,
        );
      }
      if (o === 'next' && i === spec.steps.length - 1) {
        problems.push(`steps[${i}].on.${v}: the last step has no next step; use goto or stop`);
      }
    }
  });
  if (problems.length) return { problems, commands };
  // Every step must be reachable from the first along some verdict.
  const reached = new Set<number>([0]);
  const queue = [0];
  while (queue.length) {
    const i = queue.shift()!;
    const s = spec.steps[i]!;
    for (const v of VERDICTS) {
      const o = outcomeOf(s, v);
      const to = o === 'next' ? i + 1 : 'goto' in o ? ids.get(o.goto)! : undefined;
      if (to !== undefined && to < spec.steps.length && !reached.has(to)) {
        reached.add(to);
        queue.push(to);
      }
    }
  }
  spec.steps.forEach((s, i) => {
    if (!reached.has(i))
      problems.push(`steps[${i}]: step "${s.id}" can never be reached from the first step`);
  });
  return { problems, commands };
}

/** The content hash: sha256 of the validated runbook as JSON, 16 hex digits. */
export function runbookHash(spec: RunbookSpec): string {
  return createHash('sha256').update(JSON.stringify(spec)).digest('hex').slice(0, 16);
}

/** Validates a parsed runbook; `source` (a file name) is named in every message. */
export function parseRunbook(input: unknown, source: string, builtin = false): Runbook {
  const result = runbookSchema.safeParse(input);
  if (!result.success) {
    throw new RunbookError(
      `${source} is not a valid runbook:`,
      describeIssues(result.error, input, runbookSchema),
    );
  }
  const spec = result.data;
  const { problems, commands } = crossFieldProblems(spec);
  if (problems.length) throw new RunbookError(`${source} is not a valid runbook:`, problems);
  return {
    ...spec,
    steps: spec.steps.map((s, i) => ({
      ...s,
      command: commands[i]!.name,
      changesCluster: isMutating(commands[i]!),
    })),
    hash: runbookHash(spec),
    source,
    builtin,
  };
}

export function parseRunbookYaml(text: string, source: string, builtin = false): Runbook {
  const doc = YAML.parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new RunbookError(
      `${source} is not valid YAML:`,
      doc.errors.slice(0, 5).map((e) => e.message.split('\n')[0] ?? e.message),
    );
  }
  return parseRunbook(doc.toJS(), source, builtin);
}

export function loadRunbookFile(file: string, builtin = false): Runbook {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new RunbookError(`cannot read the runbook file ${file}: ${describeError(err).message}`);
  }
  return parseRunbookYaml(text, file, builtin);
}

function yamlFilesIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/i.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

/** The runbooks meshbot knows, by id. */
export interface RunbookCatalog {
  list(): Runbook[];
  get(id: string): Runbook | undefined;
}

/**
 * Loads the built-in runbooks and, when given, every `.yaml`/`.yml` file of `extraDir`. Every
 * problem of every file is collected before throwing. Two runbooks with one id is an error.
 */
export function loadRunbooks(options: { extraDir?: string; builtinDir?: string } = {}): RunbookCatalog {
  const problems: string[] = [];
  const byId = new Map<string, Runbook>();
  const add = (file: string, builtin: boolean): void => {
    try {
      const rb = loadRunbookFile(file, builtin);
      const other = byId.get(rb.id);
      if (other) problems.push(`${file}: id "${rb.id}" is already the id of ${other.source}`);
      else byId.set(rb.id, rb);
    } catch (err) {
      problems.push(describeError(err).message);
    }
  };
  const builtinDir = options.builtinDir ?? runbooksDir();
  if (existsSync(builtinDir)) for (const f of yamlFilesIn(builtinDir)) add(f, true);
  if (options.extraDir !== undefined) {
    if (!existsSync(options.extraDir) || !statSync(options.extraDir).isDirectory()) {
      throw new RunbookError(`runbooksDir ${options.extraDir} is not a directory`);
    }
    for (const f of yamlFilesIn(options.extraDir)) add(f, false);
  }
  if (problems.length) {
    throw new RunbookError(
      problems.length === 1 ? problems[0]! : `${problems.length} runbook files have problems:`,
      problems.length === 1 ? [] : problems,
    );
  }
  const all = [...byId.values()].sort((a, b) => a.id.localeCompare(b.id));
  return { list: () => all, get: (id) => byId.get(id) };
}
