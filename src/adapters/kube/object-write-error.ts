import { ApiException } from '@kubernetes/client-node';
import { MeshbotError } from '../../errors.js';
import { translateKubeError, type KubeRequestContext } from './translate-kube-error.js';

/**
 * A failed write of an object meshbot keeps state in (a Lease, the report state ConfigMap):
 * 409 (the resourceVersion precondition failed, or the object exists already) is a MeshbotError
 * of kind `conflict` the caller retries on a fresh read; anything else as translateKubeError.
 */
export function translateWriteError(err: unknown, ctx: KubeRequestContext): MeshbotError {
  if (err instanceof ApiException && err.code === 409) {
    return new MeshbotError(
      'conflict',
      `${ctx.resource} ${ctx.namespace ?? ''}/${ctx.name ?? ''} was written by someone else first`,
      'Read it again and retry.',
      { cause: err },
    );
  }
  return translateKubeError(err, ctx);
}
