/**
 * What tap may watch and where its requests may go, as `linkerd viz tap` names them
 * (viz/cmd/tap.go, pkg/k8s/k8s.go `resourceNames`): `KIND/NAME.NAMESPACE` with linkerd's kind
 * aliases (deploy, sts, ds, rs, po, ns, svc), or `ns/NAMESPACE` for a whole namespace.
 *
 * - target: deployments, statefulsets, daemonsets, pods and namespaces. linkerd also taps
 *   replicasets, jobs, cronjobs and replicationcontrollers; meshbot refuses them, naming what
 *   works instead (their pods, their deployment, or the namespace).
 * - `--to`: services, deployments, statefulsets, daemonsets, pods and namespaces: the resources
 *   whose label the proxy reports on a destination (the tap server turns `--to` into a match on
 *   the destination's `KIND=NAME` and `namespace` labels, grpc_server.go `destinationLabels`).
 *   A replicaset is never such a label (a deployment's pods report the deployment), so
 *   `--to rs/...` would match nothing and is refused.
 */
import { UsageError } from '../errors.js';
import { didYouMean } from './did-you-mean.js';
import { checkNamespace, checkServiceName, printable, splitNameNamespace } from './targets.js';

export type TapTargetKind = 'deployment' | 'statefulset' | 'daemonset' | 'pod' | 'namespace';

/** What tap watches. For a namespace, `name` and `namespace` are both the namespace. */
export interface TapTarget {
  kind: TapTargetKind;
  name: string;
  namespace: string;
}

export type TapDestinationKind = TapTargetKind | 'service';

/** Where tapped requests go (`--to`). For a namespace, `name` and `namespace` are both the namespace. */
export interface TapDestination {
  kind: TapDestinationKind;
  name: string;
  namespace: string;
}

type AnyKind = TapTargetKind | 'service' | 'replicaset' | 'job' | 'cronjob' | 'replicationcontroller';

/** linkerd's names for each kind (short, singular, plural), pkg/k8s/k8s.go. */
const ALIASES: Record<AnyKind, readonly string[]> = {
  deployment: ['deploy', 'deployment', 'deployments'],
  statefulset: ['sts', 'statefulset', 'statefulsets'],
  daemonset: ['ds', 'daemonset', 'daemonsets'],
  replicaset: ['rs', 'replicaset', 'replicasets'],
  pod: ['po', 'pod', 'pods'],
  namespace: ['ns', 'namespace', 'namespaces'],
  service: ['svc', 'service', 'services'],
  job: ['job', 'jobs'],
  cronjob: ['cj', 'cronjob', 'cronjobs'],
  replicationcontroller: ['rc', 'replicationcontroller', 'replicationcontrollers'],
};

const KIND_OF = new Map<string, AnyKind>(
  (Object.entries(ALIASES) as Array<[AnyKind, readonly string[]]>).flatMap(([kind, names]) =>
    names.map((n) => [n, kind] as const),
  ),
);

/** How meshbot writes each kind back (the grammar reads every alias). */
const WRITTEN: Record<TapDestinationKind, string> = {
  deployment: 'deploy',
  statefulset: 'statefulset',
  daemonset: 'daemonset',
  pod: 'pod',
  namespace: 'ns',
  service: 'svc',
};

export const TAP_TARGET_KINDS: readonly TapTargetKind[] = [
  'deployment',
  'statefulset',
  'daemonset',
  'pod',
  'namespace',
];
export const TAP_DESTINATION_KINDS: readonly TapDestinationKind[] = [
  'service',
  'deployment',
  'statefulset',
  'daemonset',
  'pod',
  'namespace',
];

export const TAP_TARGET_EXAMPLE =
  'deploy/web.emojivoto, statefulset/db.payments, ds/node-agent.monitoring, pod/web-5f7c9d8b4-x2x9q.emojivoto or ns/emojivoto';
export const TAP_DESTINATION_EXAMPLE =
  'svc/voting-svc.emojivoto, deploy/voting.emojivoto, ds/node-agent.monitoring, pod/voting-7d9c-x.emojivoto or ns/emojivoto';

function kindOf(raw: string, what: string, example: string, label = ''): AnyKind {
  const kind = KIND_OF.get(raw.toLowerCase());
  if (kind) return kind;
  const guess = didYouMean(raw, [...KIND_OF.keys()]);
  throw new UsageError(
    `${label}"${printable(raw)}" is not a kind ${what}${guess ? `; did you mean "${guess}"?` : ''}`,
    `Give it as ${example}.`,
  );
}

/** `NAME.NAMESPACE` of a namespaced kind, or `NAMESPACE` of a namespace. */
function nameOf(
  kind: AnyKind,
  rest: string,
  raw: string,
  example: string,
): { name: string; namespace: string } {
  if (kind === 'namespace') {
    if (rest === '')
      throw new UsageError(`"${printable(raw)}" names no namespace`, `Give it as ns/emojivoto.`);
    const ns = checkNamespace(rest);
    return { name: ns, namespace: ns };
  }
  const { name, namespace } = splitNameNamespace(rest, raw, kind, example);
  return { name: kind === 'service' ? checkServiceName(name) : name, namespace };
}

function splitKind(raw: string, label: string, example: string): { kind: string; rest: string } {
  if (raw.length > 300) throw new UsageError(`${label} is too long`, `Give it as ${example}.`);
  const slash = raw.indexOf('/');
  if (slash < 0) {
    throw new UsageError(
      `${label} "${printable(raw)}" is not of the form KIND/NAME.NAMESPACE`,
      `Give it as ${example}.`,
    );
  }
  return { kind: raw.slice(0, slash), rest: raw.slice(slash + 1) };
}

/** Parses what tap watches. @throws UsageError saying what would work (did-you-mean for a kind). */
export function parseTapTarget(raw: string): TapTarget {
  const { kind: rawKind, rest } = splitKind(raw, 'the target', TAP_TARGET_EXAMPLE);
  const kind = kindOf(rawKind, 'tap can watch', TAP_TARGET_EXAMPLE);
  if (kind === 'service') {
    throw new UsageError(
      'tap watches the pods of a workload or namespace, not a service (linkerd takes a service only as --to)',
      `Tap the workload behind it (e.g. deploy/web.emojivoto), or a caller with --to ${printable(raw)}.`,
    );
  }
  if (kind === 'replicaset' || kind === 'job' || kind === 'cronjob' || kind === 'replicationcontroller') {
    throw new UsageError(
      `meshbot does not tap ${kind}s (linkerd viz tap does)`,
      kind === 'replicaset'
        ? 'Tap its deployment (deploy/NAME.NAMESPACE) or one of its pods (pod/NAME.NAMESPACE).'
        : 'Tap one of its pods (pod/NAME.NAMESPACE) or its namespace (ns/NAMESPACE).',
    );
  }
  return { kind, ...nameOf(kind, rest, raw, TAP_TARGET_EXAMPLE) };
}

/** Parses `--to`. @throws UsageError saying what would work. */
export function parseTapDestination(raw: string): TapDestination {
  const { kind: rawKind, rest } = splitKind(raw, '--to', TAP_DESTINATION_EXAMPLE);
  const kind = kindOf(rawKind, '--to can name', TAP_DESTINATION_EXAMPLE, '--to ');
  if (kind === 'service') {
    // `svc/NAME.NS:PORT` was never a tap match: the proxy's labels name no port.
    if (rest.includes(':')) {
      throw new UsageError(
        `--to ${printable(raw)} names a port; tap matches services without one`,
        `Give it as ${TAP_DESTINATION_EXAMPLE}.`,
      );
    }
    return {
      kind,
      ...nameOf(kind, rest.replace(/\.svc(\.cluster\.local)?$/, ''), raw, TAP_DESTINATION_EXAMPLE),
    };
  }
  if (kind === 'replicaset' || kind === 'job' || kind === 'cronjob' || kind === 'replicationcontroller') {
    throw new UsageError(
      `--to cannot name a ${kind}: the proxy labels a destination with its ${kind === 'replicaset' ? 'deployment' : 'pod and namespace'}, never the ${kind}`,
      `Give it as ${TAP_DESTINATION_EXAMPLE}.`,
    );
  }
  return { kind, ...nameOf(kind, rest, raw, TAP_DESTINATION_EXAMPLE) };
}

export function formatTapTarget(t: TapTarget | TapDestination): string {
  return t.kind === 'namespace' ? `ns/${t.name}` : `${WRITTEN[t.kind]}/${t.name}.${t.namespace}`;
}
