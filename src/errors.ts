/**
 * Typed errors with a user-facing message and a hint. Adapters translate low-level failures
 * (HTTP status, gRPC code, socket errors) into these; front ends render `message` and `hint`
 * and never a stack trace.
 */
export type ErrorKind =
  | 'usage' // the user typed something meshbot cannot accept
  | 'config' // configuration missing or invalid
  | 'unreachable' // Kubernetes, the destination or Prometheus could not be reached
  | 'unauthenticated' // 401
  | 'forbidden' // 403, names the verb and resource
  | 'not-found'
  | 'timeout'
  | 'conflict'
  | 'refused' // a safety rule refused the action
  | 'internal';

export class MeshbotError extends Error {
  readonly kind: ErrorKind;
  readonly hint: string | undefined;

  constructor(kind: ErrorKind, message: string, hint?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MeshbotError';
    this.kind = kind;
    this.hint = hint;
  }
}

export class UsageError extends MeshbotError {
  constructor(message: string, hint?: string) {
    super('usage', message, hint);
    this.name = 'UsageError';
  }
}

/** CLI exit codes: 0 ok, 1 a problem found, 2 usage/validation, 3 could not ask. */
export const EXIT = { ok: 0, problem: 1, usage: 2, unreachable: 3 } as const;

export function exitCodeForError(err: unknown): number {
  if (err instanceof MeshbotError) {
    switch (err.kind) {
      case 'usage':
      case 'config':
        return EXIT.usage;
      case 'refused':
        return EXIT.problem;
      default:
        return EXIT.unreachable;
    }
  }
  return EXIT.unreachable;
}

/** Message + hint for a person; unknown errors get a generic line, never a stack. */
export function describeError(err: unknown): { message: string; hint?: string } {
  if (err instanceof MeshbotError) {
    return err.hint ? { message: err.message, hint: err.hint } : { message: err.message };
  }
  const message = err instanceof Error ? err.message : String(err);
  return {
    message: `unexpected error: ${message}`,
    hint: 'This is a meshbot bug; please report it with the command you ran.',
  };
}
