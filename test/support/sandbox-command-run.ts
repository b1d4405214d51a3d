/**
 * Runs the `meshbot sandbox` handler in process for tests: output captured, `ready` resolved
 * with the printed addresses once up (rejected if it exits first), `stop()` as a Ctrl-C would.
 */
import { runSandboxCommand, type SandboxFlagValues } from '../../src/cli/commands/sandbox.js';
import type { ClusterSetAddresses, SandboxAddresses } from '../../src/sandbox/sandbox-types.js';

export interface CapturedOutput {
  write(text: string): boolean;
  text(): string;
}

export function capture(): CapturedOutput {
  let out = '';
  return {
    write(t: string) {
      out += t;
      return true;
    },
    text: () => out,
  };
}

export interface SandboxCommandRun<A> {
  stdout: CapturedOutput;
  stderr: CapturedOutput;
  /** The addresses once up: SandboxAddresses, or ClusterSetAddresses with --clusters. */
  ready: Promise<A>;
  exitCode: Promise<number>;
  stop(): void;
}

export function startSandboxCommand<A extends SandboxAddresses | ClusterSetAddresses = SandboxAddresses>(
  flags: SandboxFlagValues,
): SandboxCommandRun<A> {
  const stdout = capture();
  const stderr = capture();
  let stop!: () => void;
  const until = new Promise<void>((r) => (stop = r));
  let onReady!: (a: A) => void;
  const up = new Promise<A>((resolve) => (onReady = resolve));
  const exitCode = runSandboxCommand(flags, {
    stdout,
    stderr,
    until,
    onReady: (a) => onReady(a as A),
    onClustersReady: (a) => onReady(a as A),
  });
  const ready = Promise.race([
    up,
    exitCode.then((code): never => {
      throw new Error(`exited ${code} before ready: ${stderr.text()}`);
    }),
  ]);
  return { stdout, stderr, ready, exitCode, stop };
}
