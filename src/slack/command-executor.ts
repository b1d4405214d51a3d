import type { StepResult } from '../domain/step-result.js';
import { describeError, MeshbotError } from '../errors.js';
import type { MeshCommand, RunnableCommand } from '../grammar/parse-command.js';
import { formatServiceTarget, formatWorkloadTarget } from '../grammar/targets.js';

export type { RunnableCommand };

export interface ExecutionContext {
  /** Steps that take a while report what they are doing; Slack shows it on the parent. */
  onProgress(text: string): void;
}

/**
 * The Slack layer's one dependency on the rest of meshbot: run a parsed command, get a
 * StepResult. It knows nothing of Kubernetes; `createClusterExecutor` wires the real
 * steps and adapters behind it, tests pass a small fake.
 */
export type CommandExecutor = (command: RunnableCommand, ctx: ExecutionContext) => Promise<StepResult>;

/** A failure to run at all, as a StepResult with status `error` so it renders like any other. */
export function errorResult(
  command: RunnableCommand,
  target: string,
  err: unknown,
  startedAt = new Date(),
): StepResult {
  const { message, hint } = describeError(err);
  return {
    step: command.name,
    target,
    status: 'error',
    summary: message,
    findings: [
      {
        severity: 'error',
        code: err instanceof MeshbotError ? `${err.kind}-error` : 'internal-error',
        message,
        ...(hint ? { hint } : {}),
      },
    ],
    evidence: [],
    next: [],
    data: null,
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
  };
}

export interface ClusterExecutorDeps<Adapters extends { close(): Promise<void> }> {
  openAdapters: () => Promise<Adapters>;
  runCommand: (command: MeshCommand, adapters: Adapters, ctx: ExecutionContext) => Promise<StepResult>;
}

/**
 * Runs commands over one set of adapters, opened on first use and shared by concurrent
 * commands (one gRPC channel, bounded load on the control plane). If opening fails, the
 * next command tries again.
 */
export function createClusterExecutor<Adapters extends { close(): Promise<void> }>(
  deps: ClusterExecutorDeps<Adapters>,
): { execute: CommandExecutor; close(): Promise<void> } {
  let adapters: Promise<Adapters> | undefined;
  const get = (): Promise<Adapters> => {
    if (!adapters) {
      adapters = deps.openAdapters();
      adapters.catch(() => {
        adapters = undefined;
      });
    }
    return adapters;
  };
  return {
    async execute(command, ctx) {
      return deps.runCommand(command, await get(), ctx);
    },
    async close() {
      const a = adapters;
      adapters = undefined;
      if (a)
        await a.then(
          (x) => x.close(),
          () => undefined,
        );
    },
  };
}

/** The target of a command as text, e.g. `web-svc.emojivoto:80`. */
export function targetOf(command: RunnableCommand): string {
  switch (command.name) {
    case 'endpoints':
      return formatServiceTarget(command.target);
    case 'metrics':
      return command.target ? formatServiceTarget(command.target) : 'destination controller';
    case 'check':
      return command.namespace ?? 'control plane';
    case 'restart':
      return formatWorkloadTarget(command.target);
    case 'runbook':
      return command.runbook ? `${command.runbook} ${command.target ?? ''}`.trim() : 'runbooks';
    case 'scale-test':
    case 'events':
      return 'kind' in command.target
        ? formatWorkloadTarget(command.target)
        : formatServiceTarget(command.target);
  }
}
