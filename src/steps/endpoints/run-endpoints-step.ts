import { performance } from 'node:perf_hooks';
import { formatAddress } from '../../adapters/destination/decode-ip.js';
import type { DestinationView } from '../../adapters/destination/destination-client.js';
import type { KubeEndpointSet, KubePod, KubeService, ServicePort } from '../../adapters/kube/kube-adapter.js';
import { DEFAULT_CLUSTER_DOMAIN, DEFAULT_TIMEOUT_MS, type Adapters } from '../../adapters/open-adapters.js';
import { statusFromFindings, worstStatus, type Finding, type StepResult } from '../../domain/step-result.js';
import { MeshbotError, UsageError } from '../../errors.js';
import { formatServiceTarget, type ServiceTarget } from '../../grammar/targets.js';
import { diffPort, findingsForAnswer, findingsForPort } from './compare-endpoints.js';
import type {
  DestinationEndpointRow,
  DestinationPortView,
  EndpointsData,
  KubernetesEndpointRow,
  PodRow,
  PortComparison,
} from './endpoints-data.js';
import { comparisonTable, nextSteps, podsTable, summarize } from './endpoints-report.js';

/** Answers after which the destination's view is known; otherwise its column says `?`, not a verdict. */
const DESTINATION_VIEW_KNOWN: ReadonlySet<string> = new Set(['answered', 'no-endpoints', 'unknown-service']);

export interface EndpointsStepOptions {
  /** Quiet time after the destination's last message that ends the wait (default 150 ms). */
  settleMs?: number;
}

export const DEFAULT_SETTLE_MS = 150;
/** The destination always gets at least this long, even when Kubernetes was slow. */
const MIN_DESTINATION_MS = 500;
/**
 * When Kubernetes has no ready endpoint, a destination silent this long agrees: today's linkerd2
 * sends nothing for a service without endpoints (older ones send no_endpoints at once).
 */
export const QUIET_EMPTY_MS = 1000;

function toPodRow(p: KubePod): PodRow {
  const row: PodRow = { name: p.name, phase: p.phase, ready: p.ready, deleting: p.deleting };
  if (p.ip) row.ip = p.ip;
  if (p.node) row.node = p.node;
  if (p.owner) row.owner = `${p.owner.kind}/${p.owner.name}`;
  return row;
}

/**
 * The address family Linkerd's destination serves for a service: IPv6 for a dual-stack (or
 * IPv6) service, IPv4 otherwise (linkerd2 server_ipv6_test.go).
 */
export function servedFamily(service: KubeService): 'IPv4' | 'IPv6' {
  return service.ipFamilies?.includes('IPv6') ? 'IPv6' : 'IPv4';
}

const familyOfIp = (ip: string): 'IPv4' | 'IPv6' => (ip.includes(':') ? 'IPv6' : 'IPv4');

export function kubernetesRows(
  set: KubeEndpointSet,
  port: ServicePort,
  family: 'IPv4' | 'IPv6',
): KubernetesEndpointRow[] {
  return set.endpoints
    .filter((e) => e.portName === port.name && familyOfIp(e.ip) === family)
    .map((e) => {
      const row: KubernetesEndpointRow = {
        address: formatAddress(e.ip, e.port),
        ip: e.ip,
        port: e.port,
        ready: e.ready,
        serving: e.serving,
        terminating: e.terminating,
      };
      if (e.pod) row.pod = e.pod;
      if (e.node) row.node = e.node;
      if (e.zone) row.zone = e.zone;
      return row;
    });
}

function destinationRows(view: DestinationView): DestinationEndpointRow[] {
  return view.addresses.map((a) => {
    const row: DestinationEndpointRow = { address: a.address, ip: a.ip, port: a.port, labels: a.labels };
    if (a.labels['pod']) row.pod = a.labels['pod'];
    if (a.weight !== undefined) row.weight = a.weight;
    if (a.protocolHint) row.protocolHint = a.protocolHint;
    if (a.opaqueTransportPort) row.opaqueTransportPort = a.opaqueTransportPort;
    if (a.identity) row.identity = a.identity;
    return row;
  });
}

export function viewToPort(view: DestinationView): DestinationPortView {
  const answer = view.noEndpoints
    ? view.noEndpoints.exists
      ? 'no-endpoints'
      : 'unknown-service'
    : 'answered';
  return {
    answer,
    endpoints: destinationRows(view),
    completion: view.completion,
    firstUpdateMs: Math.round(view.firstUpdateMs),
    completedMs: Math.round(view.completedMs),
    updates: view.updates.map((u) => ({ ...u, atMs: Math.round(u.atMs) })),
  };
}

function errorToPort(err: MeshbotError): DestinationPortView {
  const answer = err.kind === 'unreachable' ? 'unavailable' : err.kind === 'timeout' ? 'timeout' : 'error';
  const error: NonNullable<DestinationPortView['error']> = { kind: err.kind, message: err.message };
  if (err.hint) error.hint = err.hint;
  return { answer, endpoints: [], error, updates: [] };
}

/** The service ports the target names: one (by number or name) or all. */
function selectPorts(service: KubeService, target: ServiceTarget): ServicePort[] {
  if (target.port === undefined) return service.ports;
  const match = service.ports.filter((p) =>
    typeof target.port === 'number' ? p.port === target.port : p.name === target.port,
  );
  if (match.length === 0) {
    const known = service.ports.map((p) => (p.name ? `${p.port} (${p.name})` : `${p.port}`)).join(', ');
    throw new UsageError(
      `service ${service.name}.${service.namespace} has no port ${typeof target.port === 'number' ? target.port : `named "${target.port}"`}`,
      known ? `Its ports: ${known}. Give one of them, or no port for all.` : 'It declares no ports.',
    );
  }
  return match;
}

function emptyData(target: ServiceTarget, destinationSource: string): EndpointsData {
  return {
    service: {
      name: target.service,
      namespace: target.namespace,
      exists: false,
      namespaceExists: true,
      headless: false,
      ports: [],
    },
    judged: false,
    kubernetesSource: 'none',
    destinationSource,
    ports: [],
    pods: [],
    timings: { kubernetesMs: 0, destinationMs: 0, totalMs: 0 },
  };
}

/** What the step needs of an adapter set. */
export type EndpointsAdapters = Pick<Adapters, 'kube' | 'destination' | 'options'>;

/**
 * A Kubernetes read that failed, as a finding with the adapter's message and hint (for a 403,
 * the RBAC rule to add). Anything but a MeshbotError (or a usage error) is rethrown.
 */
function readFailure(err: unknown, severity: 'warn' | 'error', what?: string): Finding {
  if (!(err instanceof MeshbotError) || err.kind === 'usage') throw err;
  const f: Finding = {
    severity,
    code: `kubernetes-${err.kind}`,
    message: what ? `${what}: ${err.message}` : err.message,
  };
  if (err.hint) f.hint = err.hint;
  return f;
}

/** What every phase of one run needs: the target, the adapters, the data and findings so far. */
interface EndpointsRun {
  target: ServiceTarget;
  adapters: EndpointsAdapters;
  /** `web-svc.emojivoto` */
  service: string;
  timeoutMs: number;
  data: EndpointsData;
  findings: Finding[];
  elapsed(): number;
  authorityOf(port: number): string;
  /** The destination's view of one authority; a MeshbotError is a view that says why. */
  ask(authority: string, expectedCount?: number): Promise<DestinationPortView>;
  /** The result as it stands. */
  result(): StepResult<EndpointsData>;
}

function startRun(
  target: ServiceTarget,
  adapters: EndpointsAdapters,
  stepOptions: EndpointsStepOptions,
): EndpointsRun {
  const t0 = performance.now();
  const startedAt = new Date().toISOString();
  const { destination } = adapters;
  const timeoutMs = adapters.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const clusterDomain = adapters.options.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN;
  const settleMs = stepOptions.settleMs ?? DEFAULT_SETTLE_MS;
  const contextToken = adapters.options.contextToken ?? JSON.stringify({ ns: target.namespace });
  const service = `${target.service}.${target.namespace}`;
  const data = emptyData(target, destination.describe());
  const findings: Finding[] = [];
  const elapsed = (): number => performance.now() - t0;
  return {
    target,
    adapters,
    service,
    timeoutMs,
    data,
    findings,
    elapsed,
    authorityOf: (port) => `${service}.svc.${clusterDomain}:${port}`,
    async ask(authority, expectedCount) {
      try {
        const view = await destination.resolve(authority, {
          timeoutMs: Math.round(Math.max(MIN_DESTINATION_MS, timeoutMs - elapsed())),
          settleMs,
          contextToken,
          ...(expectedCount !== undefined ? { expectedCount, emptyAfterMs: QUIET_EMPTY_MS } : {}),
        });
        return viewToPort(view);
      } catch (err) {
        if (err instanceof MeshbotError) return errorToPort(err);
        throw err;
      }
    },
    result() {
      data.timings.totalMs = Math.round(elapsed());
      data.destinationSource = destination.describe();
      const status = worstStatus(statusFromFindings(findings));
      return {
        step: 'endpoints',
        target: formatServiceTarget(target),
        status,
        summary: summarize(service, data, findings, status),
        findings,
        evidence: [
          ...data.ports.map((p) =>
            comparisonTable(service, p, DESTINATION_VIEW_KNOWN.has(p.destination.answer)),
          ),
          ...(data.pods.length > 0 ? [podsTable(service, data)] : []),
        ],
        next: nextSteps(target, findings, status),
        data,
        startedAt,
        durationMs: Math.round(elapsed()),
      };
    },
  };
}

/**
 * The endpoints step: Kubernetes' endpoints, the destination's, and the pods of the selector, for
 * every port (or the one the target names); what differs, who owns a stale address, a status and
 * next steps. Failures to reach Kubernetes or the destination become `error` results with the
 * adapter's message and hint; a port the service does not have is a UsageError. It runs in
 * phases over one EndpointsRun: read the service, describe it, compare every port with the
 * destination, attribute stale addresses, judge.
 */
export async function runEndpointsStep(
  target: ServiceTarget,
  adapters: EndpointsAdapters,
  stepOptions: EndpointsStepOptions = {},
): Promise<StepResult<EndpointsData>> {
  const run = startRun(target, adapters, stepOptions);
  const read = await readService(run);
  if ('step' in read) return read;
  const { svc, endpointSet } = read;
  if (!svc) return reportMissingService(run);
  const ports = describeService(run, svc, endpointSet);
  if (ports === undefined) return run.result();
  const { pods, selectorPods } = await compareWithDestination(run, svc, endpointSet, ports);
  const attributionPods = await podsForAttribution(run, svc, pods, selectorPods);
  judgePorts(run, svc, attributionPods, selectorPods);
  return run.result();
}

/** 1. The service and its endpoints, at once, while the destination channel opens. */
async function readService(
  run: EndpointsRun,
): Promise<{ svc: KubeService | undefined; endpointSet: KubeEndpointSet } | StepResult<EndpointsData>> {
  const { kube, destination } = run.adapters;
  void destination.warmUp();
  try {
    const [svc, endpointSet] = await Promise.all([
      kube.getService(run.target.namespace, run.target.service),
      kube.listServiceEndpoints(run.target.namespace, run.target.service),
    ]);
    run.data.timings.kubernetesMs = Math.round(run.elapsed());
    return { svc, endpointSet };
  } catch (err) {
    const finding = readFailure(err, 'error');
    run.findings.push(finding);
    const r = run.result();
    r.summary = `${run.service}: could not read it from Kubernetes (${finding.code.replace(/^kubernetes-/, '')})`;
    return r;
  }
}

/** 2. No such service: say whether the namespace exists, and whether the destination still serves it. */
async function reportMissingService(run: EndpointsRun): Promise<StepResult<EndpointsData>> {
  const { target, service, findings } = run;
  const { kube } = run.adapters;
  const [ns, leftover] = await Promise.all([
    kube.getNamespace(target.namespace).catch((err: unknown) => {
      // The service is missing either way; whether its namespace is, this read could not say.
      findings.push(readFailure(err, 'warn', `namespace ${target.namespace}`));
      return { name: target.namespace, phase: 'unknown' };
    }),
    typeof target.port === 'number' ? run.ask(run.authorityOf(target.port)) : Promise.resolve(undefined),
  ]);
  run.data.service.namespaceExists = ns !== undefined;
  findings.push(
    ns === undefined
      ? {
          severity: 'fail',
          code: 'namespace-not-found',
          subject: target.namespace,
          message: `namespace ${target.namespace} does not exist in this cluster (${kube.context})`,
          hint: 'Check the spelling and the --context: kubectl get namespaces.',
        }
      : {
          severity: 'fail',
          code: 'service-not-found',
          subject: service,
          message: `service ${target.service} does not exist in namespace ${target.namespace}`,
          hint: `List the services: kubectl -n ${target.namespace} get services.`,
        },
  );
  if (leftover && leftover.answer === 'answered' && leftover.endpoints.length > 0) {
    findings.push({
      severity: 'fail',
      code: 'exists-only-in-destination',
      subject: service,
      message: `the destination still serves ${leftover.endpoints.length} address(es) for ${service}:${target.port}, which Kubernetes does not have`,
      hint: "The destination's informers are stale; check its metrics and restart the destination pods if it does not recover.",
    });
  }
  return run.result();
}

/**
 * 3. What the service is (type, ports, selector), with the notes that change how it is judged;
 * the ports to compare, or undefined when there is nothing to compare (ExternalName).
 */
function describeService(
  run: EndpointsRun,
  svc: KubeService,
  endpointSet: KubeEndpointSet,
): ServicePort[] | undefined {
  const { data, findings, service } = run;
  data.service = {
    name: svc.name,
    namespace: svc.namespace,
    exists: true,
    namespaceExists: true,
    type: svc.type,
    headless: svc.headless,
    ports: svc.ports.map((p) => ({
      name: p.name,
      port: p.port,
      targetPort: p.targetPort ?? p.port,
      protocol: p.protocol,
    })),
  };
  if (svc.clusterIP) data.service.clusterIP = svc.clusterIP;
  if (svc.selector) data.service.selector = svc.selector;
  if (svc.externalName) data.service.externalName = svc.externalName;
  data.kubernetesSource = endpointSet.source;

  if (svc.type === 'ExternalName') {
    findings.push({
      severity: 'info',
      code: 'external-name-service',
      subject: service,
      message: `${service} is an ExternalName service (${svc.externalName ?? '?'}): it has no endpoints, so there is nothing to compare`,
      hint: 'Compare the service it points at instead, if it lives in this cluster.',
    });
    return undefined;
  }

  const ports = selectPorts(svc, run.target);
  if (ports.length === 0) {
    findings.push({
      severity: 'info',
      code: 'no-ports',
      subject: service,
      message: `${service} declares no ports: there is nothing to compare`,
    });
  }
  data.judged = !svc.headless;
  if (svc.headless) {
    findings.push({
      severity: 'info',
      code: 'headless-service',
      subject: service,
      message: `${service} is headless (clusterIP: None): clients resolve pod IPs through DNS, so the destination's load-balancer set does not apply and is not compared`,
      hint: "Kubernetes' endpoints and the pods are shown; compare a ClusterIP service of the same pods to check the destination.",
    });
  }
  if (!svc.selector) {
    findings.push({
      severity: 'info',
      code: 'no-selector',
      subject: service,
      message: `${service} has no selector: its endpoints are managed by hand, so meshbot cannot tell which pods should back it and attributes addresses by IP only`,
    });
  }
  return ports;
}

/** 4. Pods of the selector and the destination's view of every port, concurrently; the ports compared. */
async function compareWithDestination(
  run: EndpointsRun,
  svc: KubeService,
  endpointSet: KubeEndpointSet,
  ports: ServicePort[],
): Promise<{ pods: KubePod[]; selectorPods: Set<string> }> {
  const { data } = run;
  const family = servedFamily(svc);
  if (family === 'IPv6' && svc.ipFamilies?.includes('IPv4')) {
    run.findings.push({
      severity: 'info',
      code: 'dual-stack-service',
      subject: run.service,
      message: `${run.service} is dual-stack: Linkerd's destination serves its IPv6 addresses, so its IPv6 endpoints are compared and the IPv4 ones left out`,
    });
  }
  const portRows = ports.map((p) => ({ port: p, rows: kubernetesRows(endpointSet, p, family) }));
  const destinationStart = run.elapsed();
  const [podsOrError, views] = await Promise.all([
    svc.selector
      ? run.adapters.kube
          .listPods(svc.namespace, { labelSelector: svc.selector })
          .catch((err: unknown) => err)
      : Promise.resolve([]),
    Promise.all(
      portRows.map(({ port, rows }) =>
        svc.headless
          ? Promise.resolve<DestinationPortView>({ answer: 'not-asked', endpoints: [], updates: [] })
          : run.ask(
              run.authorityOf(port.port),
              new Set(rows.filter((r) => r.ready).map((r) => r.address)).size,
            ),
      ),
    ),
  ]);
  data.timings.destinationMs = Math.round(run.elapsed() - destinationStart);
  let pods: KubePod[] = [];
  if (Array.isArray(podsOrError)) {
    pods = podsOrError;
  } else {
    // Without the pods the comparison still stands; attribution is by IP only.
    run.findings.push(readFailure(podsOrError, 'error', `pods of ${run.service}`));
  }
  data.pods = pods.map(toPodRow);
  data.ports = portRows.map(({ port, rows }, i): PortComparison => {
    const view = views[i]!;
    const asked = DESTINATION_VIEW_KNOWN.has(view.answer);
    return {
      port: port.port,
      name: port.name,
      targetPort: port.targetPort ?? port.port,
      protocol: port.protocol,
      authority: run.authorityOf(port.port),
      kubernetes: rows,
      destination: view,
      diff: diffPort(rows, asked ? view.endpoints : undefined),
    };
  });
  return { pods, selectorPods: new Set(pods.map((p) => p.name)) };
}

/** 5. A stale address no pod of the selector owns: look at the whole namespace (IP reuse). */
async function podsForAttribution(
  run: EndpointsRun,
  svc: KubeService,
  pods: KubePod[],
  selectorPods: Set<string>,
): Promise<KubePod[]> {
  const known = new Set(pods.flatMap((p) => p.ips));
  const strays = run.data.ports.flatMap((p) =>
    p.diff.staleInDestination.map((a) => p.destination.endpoints.find((e) => e.address === a)?.ip),
  );
  if (!strays.some((ip) => ip !== undefined && !known.has(ip))) return pods;
  try {
    return [
      ...pods,
      ...(await run.adapters.kube.listPods(svc.namespace)).filter((p) => !selectorPods.has(p.name)),
    ];
  } catch (err) {
    // Without the namespace's pods, attribution falls back to the selector's; say why.
    run.findings.push(
      readFailure(err, 'warn', `pods of namespace ${svc.namespace} (to attribute stale addresses)`),
    );
    return pods;
  }
}

/** 6. Findings per port: what the destination answered, what differs and who owns it. */
function judgePorts(
  run: EndpointsRun,
  svc: KubeService,
  attributionPods: KubePod[],
  selectorPods: Set<string>,
): void {
  const { service, findings } = run;
  for (const p of run.data.ports) {
    const ready = new Set(p.kubernetes.filter((e) => e.ready).map((e) => e.address)).size;
    findings.push(...findingsForAnswer(service, p, ready));
    if (p.destination.answer === 'not-asked' && svc.headless) {
      for (const address of p.diff.notReady) {
        const e = p.kubernetes.find((k) => k.address === address);
        if (e && !e.terminating) {
          findings.push({
            severity: 'warn',
            code: 'not-ready-endpoint',
            subject: address,
            message: `${address} of ${service} port ${p.port} (pod ${e.pod ?? 'unknown'}) is not ready`,
          });
        }
      }
    }
    if (DESTINATION_VIEW_KNOWN.has(p.destination.answer)) {
      findings.push(...findingsForPort({ service, port: p, pods: attributionPods, selectorPods }));
      if (p.destination.completion === 'timeout') {
        findings.push({
          severity: 'warn',
          code: 'destination-never-settled',
          subject: p.authority,
          message: `the destination kept sending updates for ${p.authority} until the ${run.timeoutMs} ms timeout: the set above is a snapshot`,
          hint: 'Pods may be churning (a rollout or a crash loop); compare again once it calms down.',
        });
      }
    }
  }
}
