/**
 * The pure heart of the endpoints step: the difference between Kubernetes' endpoints and the
 * destination's for one port, who owns a stale address, and the findings a person acts on.
 * No I/O: everything it needs is passed in.
 */
import { compareAddresses } from '../../adapters/destination/apply-updates.js';
import { ipOfAddress } from '../../adapters/destination/decode-ip.js';
import type { KubePod } from '../../adapters/kube/kube-adapter.js';
import type { Finding } from '../../domain/step-result.js';
import type {
  DestinationEndpointRow,
  KubernetesEndpointRow,
  PortComparison,
  PortDiff,
} from './endpoints-data.js';

const sorted = (xs: Iterable<string>): string[] => [...new Set(xs)].sort(compareAddresses);

/** Compares one port. `destination` undefined = the destination could not be asked. */
export function diffPort(
  kubernetes: KubernetesEndpointRow[],
  destination: DestinationEndpointRow[] | undefined,
): PortDiff {
  const ready = new Set(kubernetes.filter((e) => e.ready).map((e) => e.address));
  const notReady = sorted(kubernetes.filter((e) => !e.ready && !ready.has(e.address)).map((e) => e.address));
  if (!destination) return { matching: [], staleInDestination: [], missingFromDestination: [], notReady };
  const served = new Set(destination.map((e) => e.address));
  return {
    matching: sorted([...ready].filter((a) => served.has(a))),
    staleInDestination: sorted([...served].filter((a) => !ready.has(a))),
    missingFromDestination: sorted([...ready].filter((a) => !served.has(a))),
    notReady,
  };
}

/** Who owns the IP of an address the destination serves and Kubernetes does not list. */
export type Attribution =
  | { kind: 'no-pod' }
  | { kind: 'terminating-pod'; pod: KubePod }
  /** A running pod of the service's own selector (e.g. a port the endpoints do not carry). */
  | { kind: 'service-pod'; pod: KubePod }
  /** A running pod outside the selector: the IP was reused. */
  | { kind: 'other-pod'; pod: KubePod };

export function attributeAddress(
  ip: string,
  pods: KubePod[],
  selectorPods: ReadonlySet<string>,
): Attribution {
  const owners = pods.filter((p) => p.ips.includes(ip) && p.phase !== 'Succeeded' && p.phase !== 'Failed');
  const owner = owners.find((p) => !p.deleting) ?? owners[0];
  if (!owner) return { kind: 'no-pod' };
  if (owner.deleting) return { kind: 'terminating-pod', pod: owner };
  return selectorPods.has(owner.name)
    ? { kind: 'service-pod', pod: owner }
    : { kind: 'other-pod', pod: owner };
}

export interface PortFindingsInput {
  /** `web-svc.emojivoto`. */
  service: string;
  port: PortComparison;
  /** Pods of the selector and, when a stale address needed it, of the whole namespace. */
  pods: KubePod[];
  selectorPods: ReadonlySet<string>;
}

function portLabel(p: PortComparison): string {
  return p.name ? `port ${p.port} (${p.name})` : `port ${p.port}`;
}

/** Findings about the addresses of one port, once the destination has answered. */
export function findingsForPort(input: PortFindingsInput): Finding[] {
  const { port, service } = input;
  const findings: Finding[] = [];
  const where = `${service} ${portLabel(port)}`;
  const k8s = new Map(port.kubernetes.map((e) => [e.address, e]));
  const dest = new Map(port.destination.endpoints.map((e) => [e.address, e]));

  for (const address of port.diff.staleInDestination) {
    const listed = k8s.get(address);
    const claimed = dest.get(address)?.pod;
    if (listed?.terminating) {
      findings.push({
        severity: 'warn',
        code: 'terminating-in-destination',
        subject: address,
        message: `${address} of ${where} is still served by the destination while its pod ${listed.pod ?? claimed ?? '(unknown)'} terminates`,
        hint: 'Usually transient: it should leave both sets within the grace period. If it stays, run the check again.',
      });
      continue;
    }
    if (listed) {
      findings.push({
        severity: 'warn',
        code: 'not-ready-in-destination',
        subject: address,
        message: `${address} of ${where} is served by the destination although Kubernetes lists it as not ready (pod ${listed.pod ?? claimed ?? 'unknown'})`,
        hint: 'The destination has not yet applied the readiness change; if it persists it is lagging (see its informer lag metrics).',
      });
      continue;
    }
    const ip = dest.get(address)?.ip ?? ipOfAddress(address);
    const owner = attributeAddress(ip, input.pods, input.selectorPods);
    const named = claimed ? ` (the destination still names pod ${claimed})` : '';
    switch (owner.kind) {
      case 'no-pod':
        findings.push({
          severity: 'fail',
          code: 'stale-in-destination',
          subject: address,
          message: `${address} of ${where} is served by the destination but Kubernetes has no such endpoint; it belongs to no running pod: most likely a deleted pod${named}`,
          hint: 'The destination controller is serving a stale set: proxies may send requests to an address nobody answers. Check its metrics (informer lag, endpoint_updates_queue_overflow) and restart the destination pods if it does not recover.',
        });
        break;
      case 'terminating-pod':
        findings.push({
          severity: 'warn',
          code: 'terminating-in-destination',
          subject: address,
          message: `${address} of ${where} is served by the destination but no longer listed by Kubernetes; its pod ${owner.pod.name} is terminating${named}`,
          hint: 'Usually transient: the destination should drop it within seconds. If it stays after the pod is gone, the destination is stale.',
        });
        break;
      case 'service-pod':
        findings.push({
          severity: 'fail',
          code: 'stale-in-destination',
          subject: address,
          message: `${address} of ${where} is served by the destination but Kubernetes does not list it; it is owned by running pod ${owner.pod.name} (${owner.pod.ready ? 'ready' : 'not ready'})${named}`,
          hint: 'The destination is serving an address Kubernetes removed (a port or readiness change it missed). Check its informer lag metrics.',
        });
        break;
      case 'other-pod':
        findings.push({
          severity: 'fail',
          code: 'stale-in-destination',
          subject: address,
          message: `${address} of ${where} is served by the destination but Kubernetes does not list it; the IP now belongs to pod ${owner.pod.name}, outside the service: requests may reach the wrong workload${named}`,
          hint: 'The IP was reused after the old pod was deleted. The destination is stale: check its metrics and restart the destination pods if it does not recover.',
        });
        break;
    }
  }

  for (const address of port.diff.missingFromDestination) {
    const e = k8s.get(address);
    findings.push({
      severity: 'fail',
      code: 'missing-from-destination',
      subject: address,
      message: `${address} of ${where} (pod ${e?.pod ?? 'unknown'}) is ready in Kubernetes but the destination does not serve it: meshed clients send it no traffic`,
      hint: 'The destination controller is behind or missed an update. Run the scale-by-one test to time how long new pods take to arrive.',
    });
  }

  for (const address of port.diff.notReady) {
    if (dest.has(address)) continue; // already reported as served while not ready
    const e = k8s.get(address);
    findings.push(
      e?.terminating
        ? {
            severity: 'info',
            code: 'terminating-endpoint',
            subject: address,
            message: `${address} of ${where} (pod ${e.pod ?? 'unknown'}) is terminating; both sides leave it out of the ready set`,
          }
        : {
            severity: 'warn',
            code: 'not-ready-endpoint',
            subject: address,
            message: `${address} of ${where} (pod ${e?.pod ?? 'unknown'}) is not ready: Kubernetes keeps it out of the ready set`,
            hint: 'Look at the pod: kubectl describe pod (failing readiness probe, crash loop, starting up).',
          },
    );
  }
  return findings;
}

/** Findings that come from what the destination answered for a port, before any address is compared. */
export function findingsForAnswer(
  service: string,
  port: PortComparison,
  readyInKubernetes: number,
): Finding[] {
  const where = `${service} ${portLabel(port)}`;
  const d = port.destination;
  switch (d.answer) {
    case 'unknown-service':
      return [
        {
          severity: 'fail',
          code: 'unknown-to-destination',
          subject: port.authority,
          message: `the destination says ${port.authority} does not exist (${d.completion === 'not-found' ? 'gRPC NotFound' : 'no_endpoints{exists:false}'}) while Kubernetes has the service`,
          hint: "The destination's service informer is stale or it watches another cluster; check its metrics and logs.",
        },
      ];
    case 'no-endpoints':
      return readyInKubernetes === 0
        ? [
            {
              severity: 'warn',
              code: 'no-ready-endpoints',
              subject: port.authority,
              message: `${where} has no ready endpoints, in Kubernetes and in the destination alike: requests to it fail`,
              hint: 'Scale the workload up or look at why its pods are not ready.',
            },
          ]
        : [];
    case 'answered':
      return d.endpoints.length === 0 && readyInKubernetes === 0
        ? [
            {
              severity: 'warn',
              code: 'no-ready-endpoints',
              subject: port.authority,
              message: `${where} has no ready endpoints: requests to it fail`,
              hint: 'Scale the workload up or look at why its pods are not ready.',
            },
          ]
        : [];
    case 'unavailable':
    case 'timeout':
    case 'error': {
      const f: Finding = {
        severity: 'error',
        code: d.answer === 'timeout' ? 'destination-timeout' : 'destination-unavailable',
        subject: port.authority,
        message: `could not ask the destination for ${where}: ${d.error?.message ?? d.answer}`,
      };
      if (d.error?.hint) f.hint = d.error.hint;
      return [f];
    }
    case 'not-asked':
      return [];
  }
}
