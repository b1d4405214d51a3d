/**
 * The call discipline every Kubernetes request of an adapter set shares, whether client-node
 * sends it (kube-core.ts) or meshbot's own GET does (kube-get.ts): one bound on concurrent
 * calls, failures translated into MeshbotErrors (a 403 names the RBAC rule to add), a 404 as
 * the answer `undefined` where absence is an answer, and one zod parse of answers. This module
 * loads no Kubernetes client.
 */
import type * as z from 'zod';
import { MeshbotError } from '../../errors.js';
import { createConcurrencyLimit, type ConcurrencyLimit } from '../concurrency-limit.js';
import { failedAnswer, translateKubeError, type KubeRequestContext } from './translate-kube-error.js';

export type KubeCallContext = Omit<KubeRequestContext, 'server' | 'timeoutMs'>;

export interface KubeCallOptions {
  /** The API server URL, for messages. */
  server: string;
  /** Limit of every API call, ms (for messages; the request itself enforces it). */
  timeoutMs: number;
  /** The adapter set's one bound on concurrent calls; default a new one of 4. */
  limit?: ConcurrencyLimit;
}

export interface KubeCall {
  readonly server: string;
  readonly timeoutMs: number;
  readonly limit: ConcurrencyLimit;
  /** One API call under the limit; every failure a MeshbotError. */
  call<T>(ctx: KubeCallContext, fn: () => Promise<T>): Promise<T>;
  /** As `call`, with a 404 as the answer `undefined`. */
  callOrAbsent<T>(ctx: KubeCallContext, fn: () => Promise<T>): Promise<T | undefined>;
  /** An answer parsed with zod; one that does not fit is MeshbotError('internal'). */
  parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S>;
}

export function isNotFound(err: unknown): boolean {
  return failedAnswer(err)?.code === 404;
}

export function createKubeCall(options: KubeCallOptions): KubeCall {
  const { server, timeoutMs } = options;
  const limit = options.limit ?? createConcurrencyLimit(4);

  async function attempt<T>(
    ctx: KubeCallContext,
    fn: () => Promise<T>,
    absentOk: boolean,
  ): Promise<T | undefined> {
    return limit.run(async () => {
      try {
        return await fn();
      } catch (err) {
        if (absentOk && isNotFound(err)) return undefined;
        if (failedAnswer(err)?.code === 409) {
          throw new MeshbotError(
            'conflict',
            `${ctx.resource} ${ctx.name ?? ''} in namespace ${ctx.namespace ?? ''} changed since meshbot read it (409 Conflict)`,
            'Someone or something else changed it at the same moment; read it again.',
            { cause: err },
          );
        }
        throw translateKubeError(err, { ...ctx, server, timeoutMs });
      }
    });
  }

  return {
    server,
    timeoutMs,
    limit,
    call: async (ctx, fn) => (await attempt(ctx, fn, false))!,
    callOrAbsent: (ctx, fn) => attempt(ctx, fn, true),
    parse(schema, value, what) {
      const parsed = schema.safeParse(value);
      if (!parsed.success) {
        throw new MeshbotError(
          'internal',
          `Kubernetes at ${server} sent a ${what} meshbot cannot read: ${parsed.error.issues[0]?.message ?? 'invalid'} at ${parsed.error.issues[0]?.path.join('.') ?? '?'}`,
          'Is the server a conforming Kubernetes API server?',
        );
      }
      return parsed.data;
    },
  };
}
