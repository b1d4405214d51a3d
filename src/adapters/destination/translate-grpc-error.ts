import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { MeshbotError } from '../../errors.js';

function isServiceError(err: unknown): err is ServiceError {
  return (
    typeof err === 'object' &&
    err !== null &&
    typeof (err as { code?: unknown }).code === 'number' &&
    'details' in err
  );
}

/** Turns a gRPC failure of `Get` into a MeshbotError that says what to do. */
export function translateGrpcError(
  err: unknown,
  ctx: { target: string; authority: string; timeoutMs: number },
): MeshbotError {
  if (err instanceof MeshbotError) return err;
  if (!isServiceError(err)) {
    return new MeshbotError(
      'internal',
      `destination ${ctx.target}: ${err instanceof Error ? err.message : String(err)}`,
      undefined,
      {
        cause: err,
      },
    );
  }
  // grpc-js ends some details with an empty "Resolution note:"; a person needs neither.
  const details = (err.details || err.message).replace(/\.?\s*Resolution note:\s*$/, '');
  switch (err.code) {
    case GrpcStatus.UNAVAILABLE:
      return new MeshbotError(
        'unreachable',
        `the destination controller at ${ctx.target} is unavailable: ${details}`,
        `Check that the destination pods run (kubectl -n linkerd get pods -l linkerd.io/control-plane-component=destination), or point meshbot at another address with --destination HOST:PORT.`,
        { cause: err },
      );
    case GrpcStatus.DEADLINE_EXCEEDED:
      return new MeshbotError(
        'timeout',
        `the destination controller at ${ctx.target} sent nothing for ${ctx.authority} within ${ctx.timeoutMs} ms`,
        'The controller may be overloaded or its informers unsynced; look at its metrics (metrics SVC.NS) and logs, or retry with a longer --timeout.',
        { cause: err },
      );
    case GrpcStatus.INVALID_ARGUMENT:
      return new MeshbotError(
        'usage',
        `the destination controller refused ${ctx.authority} as invalid: ${details}`,
        'The authority must be SERVICE.NAMESPACE.svc.CLUSTER-DOMAIN:PORT; check --cluster-domain and the service port.',
        { cause: err },
      );
    case GrpcStatus.NOT_FOUND:
      return new MeshbotError(
        'not-found',
        `the destination controller at ${ctx.target} does not know ${ctx.authority}: ${details}`,
        'Check the service name and namespace (kubectl get service); a service created moments ago may not have reached the controller yet.',
        { cause: err },
      );
    case GrpcStatus.UNIMPLEMENTED:
      return new MeshbotError(
        'unreachable',
        `${ctx.target} does not serve the Linkerd destination API (${details})`,
        'Point --destination at the destination controller gRPC port (8086).',
        { cause: err },
      );
    case GrpcStatus.PERMISSION_DENIED:
      return new MeshbotError(
        'forbidden',
        `the destination controller at ${ctx.target} refused the request: ${details}`,
        undefined,
        {
          cause: err,
        },
      );
    case GrpcStatus.UNAUTHENTICATED:
      return new MeshbotError(
        'unauthenticated',
        `the destination controller at ${ctx.target} refused the request: ${details}`,
        undefined,
        {
          cause: err,
        },
      );
    default:
      return new MeshbotError(
        'unreachable',
        `the destination stream for ${ctx.authority} from ${ctx.target} failed (${GrpcStatus[err.code] ?? err.code}): ${details}`,
        'Retry; if it persists, check the destination controller logs.',
        { cause: err },
      );
  }
}
