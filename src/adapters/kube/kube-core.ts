/**
 * The one Kubernetes core of an adapter set: the kubeconfig, one bound on concurrent API
 * calls shared by every wrapper (KubeAdapter, ControlPlaneReader, WorkloadScaling), one call
 * helper with the per-request timeout and the translation of failures into MeshbotErrors
 * (a 403 names the RBAC rule to add), and one zod parse of answers.
 */
import { ApiException, type ConfigurationOptions, type KubeConfig } from '@kubernetes/client-node';
import type { z } from 'zod';
import { MeshbotError } from '../../errors.js';
import { createConcurrencyLimit } from '../concurrency-limit.js';
import { timeoutOption } from './request-timeout.js';
import { translateKubeError, type KubeRequestContext } from './translate-kube-error.js';

export interface KubeCoreOptions {
  /** Limit of every API call, ms; default 10 s. */
  requestTimeoutMs?: number;
  /** Concurrent API calls at most, for the whole adapter set; default 4. */
  maxConcurrent?: number;
  /** The context's name, for messages; default the kubeconfig's current context. */
  context?: string;
  inCluster?: boolean;
}

export type KubeCallContext = Omit<KubeRequestContext, 'server' | 'timeoutMs'>;

export interface KubeCore {
  readonly kubeConfig: KubeConfig;
  readonly server: string;
  readonly context: string;
  readonly inCluster: boolean;
  readonly timeoutMs: number;
  /** One API call under the limit and the timeout; every failure a MeshbotError. */
  call<T>(ctx: KubeCallContext, fn: (o: ConfigurationOptions) => Promise<T>): Promise<T>;
  /** As `call`, with a 404 as the answer `undefined`. */
  callOrAbsent<T>(ctx: KubeCallContext, fn: (o: ConfigurationOptions) => Promise<T>): Promise<T | undefined>;
  /** An answer parsed with zod; one that does not fit is MeshbotError('internal'). */
  parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S>;
}

export function isNotFound(err: unknown): boolean {
  return err instanceof ApiException && err.code === 404;
}

export function createKubeCore(kc: KubeConfig, options: KubeCoreOptions = {}): KubeCore {
  const server = kc.getCurrentCluster()?.server ?? '(no server)';
  const timeoutMs = options.requestTimeoutMs ?? 10_000;
  const limit = createConcurrencyLimit(options.maxConcurrent ?? 4);

  async function attempt<T>(
    ctx: KubeCallContext,
    fn: (o: ConfigurationOptions) => Promise<T>,
    absentOk: boolean,
  ): Promise<T | undefined> {
    return limit.run(async () => {
      try {
        return await fn(timeoutOption(timeoutMs));
      } catch (err) {
        if (absentOk && isNotFound(err)) return undefined;
        if (err instanceof ApiException && err.code === 409) {
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
    kubeConfig: kc,
    server,
    context: options.context ?? kc.getCurrentContext(),
    inCluster: options.inCluster ?? false,
    timeoutMs,
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
