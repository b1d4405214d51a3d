import { UsageError } from '../errors.js';

/** `SVC.NS[:PORT]`, the target of endpoints and metrics. */
export interface ServiceTarget {
  service: string;
  namespace: string;
  /** A port number or a port name; absent means every port of the service. */
  port?: number | string;
}

export type WorkloadKind = 'deployment' | 'statefulset';

/** `deploy/NAME.NS` or `statefulset/NAME.NS`. */
export interface WorkloadTarget {
  kind: WorkloadKind;
  name: string;
  namespace: string;
}

const MAX_INPUT = 253;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const PORT_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const ALLOWED_CHARS = /^[A-Za-z0-9.\-:/_]*$/;

const EXAMPLE_SERVICE = 'web-svc.emojivoto or web-svc.emojivoto:8080';

function rejectUnsafe(input: string, what: string, example: string): void {
  if (input.length === 0) throw new UsageError(`missing ${what}`, `Give it as ${example}.`);
  if (input.length > MAX_INPUT) {
    throw new UsageError(
      `${what} is ${input.length} characters long; Kubernetes names are at most 253 (63 per label)`,
      `Give it as ${example}.`,
    );
  }
  if (!ALLOWED_CHARS.test(input)) {
    const bad = [...input].find((c) => !/[A-Za-z0-9.\-:/_]/.test(c));
    throw new UsageError(
      `${what} "${printable(input)}" contains ${JSON.stringify(bad)}, which no Kubernetes name may contain`,
      `Names use lowercase letters, digits and '-'. Give it as ${example}.`,
    );
  }
}

/** Input echoed back in a message: cut short and stripped of control characters. */
export function printable(input: string): string {
  const clean = input.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 60 ? `${clean.slice(0, 57)}...` : clean;
}

/** Validates a DNS-1123 label (namespaces). */
export function checkNamespace(ns: string): string {
  if (ns.length > 63) {
    throw new UsageError(`namespace "${printable(ns)}" is longer than 63 characters (DNS-1123 label)`);
  }
  if (!DNS1123_LABEL.test(ns)) {
    throw new UsageError(
      `namespace "${printable(ns)}" is not a valid DNS-1123 label`,
      'A namespace is lowercase letters, digits and "-", starting and ending with a letter or digit, e.g. emojivoto.',
    );
  }
  return ns;
}

/** Validates a Service name (DNS-1035 label). */
export function checkServiceName(name: string): string {
  if (name.length > 63) {
    throw new UsageError(`service name "${printable(name)}" is longer than 63 characters (DNS-1035 label)`);
  }
  if (!DNS1035_LABEL.test(name)) {
    throw new UsageError(
      `service name "${printable(name)}" is not a valid DNS-1035 label`,
      'A service name is lowercase letters, digits and "-", starting with a letter and ending with a letter or digit, e.g. web-svc.',
    );
  }
  return name;
}

/** A port: 1-65535, or an IANA service name (at most 15 characters, with a letter, no "--"). */
export function parsePort(raw: string): number | string {
  if (/^\d+$/.test(raw)) {
    const n = Number(raw);
    if (n < 1 || n > 65535) {
      throw new UsageError(`port ${printable(raw)} is out of range`, 'A port number is between 1 and 65535.');
    }
    return n;
  }
  if (raw.length > 15 || !PORT_NAME.test(raw) || !/[a-z]/.test(raw) || raw.includes('--')) {
    throw new UsageError(
      `port "${printable(raw)}" is neither a number nor a valid port name`,
      'Give a number between 1 and 65535, or a port name of the service such as http (at most 15 lowercase letters, digits and "-").',
    );
  }
  return raw;
}

/**
 * Parses `SVC.NS[:PORT]`. Also accepts the in-cluster forms `SVC.NS.svc` and
 * `SVC.NS.svc.cluster.local`.
 */
export function parseServiceTarget(input: string): ServiceTarget {
  rejectUnsafe(input, 'service target', EXAMPLE_SERVICE);
  const colon = input.indexOf(':');
  const host = colon === -1 ? input : input.slice(0, colon);
  const portPart = colon === -1 ? undefined : input.slice(colon + 1);
  if (portPart !== undefined && portPart.length === 0) {
    throw new UsageError(
      `"${printable(input)}" ends with ":" but names no port`,
      `Give it as ${EXAMPLE_SERVICE}.`,
    );
  }
  const fqdn = host.replace(/\.svc(\.cluster\.local)?$/, '');
  const labels = fqdn.split('.');
  if (labels.some((l) => l === '')) {
    throw new UsageError(
      `"${printable(input)}" has an empty name (nothing between dots): SERVICE and NAMESPACE must each be a DNS-1123 label`,
      `Give it as ${EXAMPLE_SERVICE}.`,
    );
  }
  if (labels.length !== 2) {
    throw new UsageError(
      `"${printable(input)}" is not of the form SERVICE.NAMESPACE[:PORT]`,
      `Give it as ${EXAMPLE_SERVICE}.`,
    );
  }
  const [service = '', namespace = ''] = labels;
  if (service === '' || namespace === '') {
    throw new UsageError(`"${printable(input)}" has an empty name`, `Give it as ${EXAMPLE_SERVICE}.`);
  }
  const target: ServiceTarget = { service: checkServiceName(service), namespace: checkNamespace(namespace) };
  if (portPart !== undefined) target.port = parsePort(portPart);
  return target;
}

const WORKLOAD_KINDS: Record<string, WorkloadKind> = {
  deploy: 'deployment',
  deployment: 'deployment',
  deployments: 'deployment',
  sts: 'statefulset',
  statefulset: 'statefulset',
  statefulsets: 'statefulset',
};

/** Parses `deploy/NAME.NS` or `statefulset/NAME.NS` (the namespace is after the last dot). */
export function parseWorkloadTarget(input: string): WorkloadTarget {
  const example = 'deploy/web.emojivoto or statefulset/db.payments';
  rejectUnsafe(input, 'workload target', example);
  const slash = input.indexOf('/');
  if (slash === -1) {
    throw new UsageError(
      `"${printable(input)}" is not of the form KIND/NAME.NAMESPACE`,
      `Give it as ${example}.`,
    );
  }
  const kind = WORKLOAD_KINDS[input.slice(0, slash).toLowerCase()];
  if (!kind) {
    throw new UsageError(
      `"${printable(input.slice(0, slash))}" is not a workload kind meshbot can scale`,
      'Use deploy/NAME.NAMESPACE or statefulset/NAME.NAMESPACE.',
    );
  }
  return { kind, ...splitNameNamespace(input.slice(slash + 1), input, 'workload', example) };
}

/**
 * `NAME.NAMESPACE`, the part after `KIND/` of `input`: the namespace after the last dot (a name
 * may hold dots, a namespace may not), the name a DNS-1123 subdomain. `what` names the name in
 * messages (`workload`, `daemonset`).
 */
export function splitNameNamespace(
  rest: string,
  input: string,
  what: string,
  example: string,
): { name: string; namespace: string } {
  const dot = rest.lastIndexOf('.');
  if (dot <= 0 || dot === rest.length - 1) {
    throw new UsageError(
      `"${printable(input)}" is not of the form KIND/NAME.NAMESPACE`,
      `Give it as ${example}.`,
    );
  }
  const name = rest.slice(0, dot);
  const namespace = checkNamespace(rest.slice(dot + 1));
  if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) {
    throw new UsageError(
      `${what} name "${printable(name)}" is not a valid DNS-1123 subdomain`,
      `${what.charAt(0).toUpperCase()}${what.slice(1)} names are lowercase letters, digits, "-" and ".".`,
    );
  }
  return { name, namespace };
}

export function formatServiceTarget(t: ServiceTarget): string {
  return t.port === undefined ? `${t.service}.${t.namespace}` : `${t.service}.${t.namespace}:${t.port}`;
}

export function formatWorkloadTarget(t: WorkloadTarget): string {
  return `${t.kind === 'deployment' ? 'deploy' : 'statefulset'}/${t.name}.${t.namespace}`;
}

/** The target of a scale test: a workload, or a service whose one workload is scaled. */
export type ScaleTarget = WorkloadTarget | ServiceTarget;

export function isWorkloadTarget(t: ScaleTarget): t is WorkloadTarget {
  return 'kind' in t;
}

export function formatScaleTarget(t: ScaleTarget): string {
  return isWorkloadTarget(t) ? formatWorkloadTarget(t) : formatServiceTarget(t);
}
