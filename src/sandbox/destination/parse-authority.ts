/**
 * Parses the `path` of a `GetDestination` as Linkerd's destination server does
 * (controller/api/destination/server.go: getHostAndPort, parseK8sServiceName):
 * `SVC.NS.svc.CLUSTER_DOMAIN:PORT`, or `HOSTNAME.SVC.NS.svc.CLUSTER_DOMAIN:PORT` for one
 * instance of a headless service. The port is the service port.
 *
 * Unlike the real server, which assumes port 80 when the port is absent, the sandbox refuses
 * an authority without a port: every meshbot client sends one, and a missing port is a bug.
 */

export interface ServiceAuthority {
  namespace: string;
  name: string;
  port: number;
  /** The instance hostname of `HOSTNAME.SVC.NS.svc...`, else ''. */
  hostname: string;
}

export type AuthorityParse = { ok: true; authority: ServiceAuthority } | { ok: false; message: string };

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

function invalid(message: string): AuthorityParse {
  return { ok: false, message };
}

function isDnsLabel(label: string): boolean {
  return label.length <= 63 && DNS_LABEL.test(label);
}

/** Splits `host:port`; `[v6]:port` keeps its brackets off the host. */
function splitHostPort(path: string): { host: string; port: string } | undefined {
  if (path.startsWith('[')) {
    const close = path.indexOf(']');
    if (close < 0 || path[close + 1] !== ':') return undefined;
    return { host: path.slice(1, close), port: path.slice(close + 2) };
  }
  const colon = path.lastIndexOf(':');
  if (colon < 0) return undefined;
  const host = path.slice(0, colon);
  if (host.includes(':')) return undefined; // too many colons
  return { host, port: path.slice(colon + 1) };
}

export function parseAuthority(path: string, clusterDomain: string): AuthorityParse {
  const hostPort = splitHostPort(path);
  if (!hostPort) {
    return invalid(`Invalid authority: ${path}: expected SERVICE.NAMESPACE.svc.${clusterDomain}:PORT`);
  }
  const { host, port: portText } = hostPort;
  if (!/^\d+$/.test(portText)) return invalid(`Invalid authority: ${path}: invalid port ${portText}`);
  const port = Number(portText);
  if (port <= 0 || port > 65535) return invalid(`Invalid authority: ${path}: invalid port ${port}`);

  if (IPV4.test(host) || host.includes(':')) {
    return invalid(`IP queries not supported by Get API: host=${host}`);
  }

  const labels = host.split('.');
  const suffix = ['svc', ...clusterDomain.split('.')];
  const hasSuffix =
    labels.length >= suffix.length && suffix.every((s, i) => labels[labels.length - suffix.length + i] === s);
  if (!hasSuffix) {
    return invalid(
      `Invalid authority: ${path}: invalid k8s service name ${host}: name does not match cluster domain ${clusterDomain}`,
    );
  }
  const head = labels.slice(0, labels.length - suffix.length);
  if (head.length !== 2 && head.length !== 3) {
    return invalid(`Invalid authority: ${path}: invalid k8s service name ${host}`);
  }
  if (!head.every(isDnsLabel)) {
    return invalid(`Invalid authority: ${path}: invalid k8s service name ${host}`);
  }
  const [first = '', second = '', third = ''] = head;
  const authority =
    head.length === 2
      ? { name: first, namespace: second, port, hostname: '' }
      : { hostname: first, name: second, namespace: third, port };
  return { ok: true, authority };
}

/** `NAME.NAMESPACE`, the key faults use. */
export const serviceFaultKey = (a: { name: string; namespace: string }): string => `${a.name}.${a.namespace}`;
