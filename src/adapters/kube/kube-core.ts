/**
 * The Kubernetes core of an adapter set as client-node's clients use it: the kubeconfig and
 * client-node's per-call options (the request timeout) over the set's one call discipline
 * (kube-call.ts: the bound on concurrent calls shared with meshbot's own GETs, the translation
 * of failures into MeshbotErrors, one zod parse of answers).
 */
import type { ConfigurationOptions, KubeConfig } from '@kubernetes/client-node';
import type * as z from 'zod';
import { createConcurrencyLimit, type ConcurrencyLimit } from '../concurrency-limit.js';
import { createKubeCall, type KubeCallContext } from './kube-call.js';
import { timeoutOption } from './request-timeout.js';

export { isNotFound, type KubeCallContext } from './kube-call.js';

export interface KubeCoreOptions {
  /** Limit of every API call, ms; default 10 s. */
  requestTimeoutMs?: number;
  /** Concurrent API calls at most, for the whole adapter set; default 4. */
  maxConcurrent?: number;
  /** The adapter set's bound, when it exists already (shared with its own GETs); overrides maxConcurrent. */
  limit?: ConcurrencyLimit;
  /** The context's name, for messages; default the kubeconfig's current context. */
  context?: string;
  inCluster?: boolean;
}

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

export function createKubeCore(kc: KubeConfig, options: KubeCoreOptions = {}): KubeCore {
  const server = kc.getCurrentCluster()?.server ?? '(no server)';
  const timeoutMs = options.requestTimeoutMs ?? 10_000;
  const calls = createKubeCall({
    server,
    timeoutMs,
    limit: options.limit ?? createConcurrencyLimit(options.maxConcurrent ?? 4),
  });
  return {
    kubeConfig: kc,
    server,
    context: options.context ?? kc.getCurrentContext(),
    inCluster: options.inCluster ?? false,
    timeoutMs,
    call: (ctx, fn) => calls.call(ctx, () => fn(timeoutOption(timeoutMs))),
    callOrAbsent: (ctx, fn) => calls.callOrAbsent(ctx, () => fn(timeoutOption(timeoutMs))),
    parse: calls.parse,
  };
}
