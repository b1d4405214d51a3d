import { UsageError } from '../errors.js';
import { parseServiceTarget, printable, type ServiceTarget } from './targets.js';

const SERVICE_KINDS = new Set(['svc', 'service', 'services']);
const EXAMPLE = 'svc/web-svc.emojivoto';

/**
 * The target of `routes`: a service, `svc/NAME.NAMESPACE` as `linkerd viz routes svc/NAME`
 * takes it (or `NAME.NAMESPACE`). Routes belong to a service as a whole (a ServiceProfile
 * names the service, an HTTPRoute's parent is the service), so a port is refused.
 */
export function parseRoutesTarget(input: string): ServiceTarget {
  const slash = input.indexOf('/');
  let rest = input;
  if (slash >= 0) {
    const kind = input.slice(0, slash).toLowerCase();
    if (!SERVICE_KINDS.has(kind)) {
      throw new UsageError(
        `routes belong to a service, not to "${printable(input.slice(0, slash))}"`,
        `Give the service as ${EXAMPLE}.`,
      );
    }
    rest = input.slice(slash + 1);
  }
  const target = parseServiceTarget(rest);
  if (target.port !== undefined) {
    throw new UsageError(
      `routes covers every port of a service; "${printable(input)}" names port ${target.port}`,
      `Give the service without a port, as ${EXAMPLE}.`,
    );
  }
  return target;
}

export function formatRoutesTarget(t: ServiceTarget): string {
  return `svc/${t.service}.${t.namespace}`;
}
