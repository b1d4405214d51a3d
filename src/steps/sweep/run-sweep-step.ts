/**
 * The sweep step: every meshed service in scope compared as the endpoints step compares one
 * (its comparison and findings, src/steps/endpoints/compare-endpoints.ts), plus the control
 * plane's drift checks. Kubernetes is read with list calls; at most `concurrency` destination
 * streams are open at once over the adapters' one channel. A difference is reported only when a
 * second look at least `persistenceMs` later sees it again with the service's EndpointSlices
 * unchanged. What could not be asked (a forbidden namespace, a destination that timed out) is
 * listed, never hidden, and the rest is still reported.
 */
import { performance } from 'node:perf_hooks';
import type { ClusterOptions } from '../../adapters/cluster-options.js';
import { createConcurrencyLimit } from '../../adapters/concurrency-limit.js';
import type { DestinationClient } from '../../adapters/destination/destination-client.js';
import type { ControlPlaneReader } from '../../adapters/kube/control-plane-reader.js';
import type {
  KubeAdapter,
  KubeEndpoint,
  KubeEndpointSlice,
  KubeNamespace,
  KubePod,
  KubeService,
  ServicePort,
} from '../../adapters/kube/kube-adapter.js';
import { DEFAULT_CLUSTER_DOMAIN, DEFAULT_TIMEOUT_MS } from '../../adapters/open-adapters.js';
import { fingerprintOf } from '../../drift/fingerprint.js';
import type { EvidenceTable, Finding, NextStep, StepResult, StepStatus } from '../../domain/step-result.js';
import { describeError, MeshbotError, UsageError } from '../../errors.js';
import { meshCommands } from '../../grammar/mesh-commands.js';
import type { ServiceTarget } from '../../grammar/targets.js';
import { diffPort, findingsForAnswer, findingsForPort } from '../endpoints/compare-endpoints.js';
import type { DestinationPortView, PortComparison } from '../endpoints/endpoints-data.js';
import {
  DEFAULT_SETTLE_MS,
  kubernetesRows,
  servedFamily,
  viewToPort,
} from '../endpoints/run-endpoints-step.js';
import { confirmDrift, driftFindings, groupPortFindings, versionsChanged } from './confirm-drift.js';
import { controlPlaneDrift, type ControlPlaneDrift } from './control-plane-drift.js';
import { INJECT_ANNOTATION, meshedServices, selectedPods } from './meshed-services.js';
import {
  DEFAULT_PERSISTENCE_MS,
  DEFAULT_SWEEP_CONCURRENCY,
  MAX_SWEEP_CONCURRENCY,
  type NotAsked,
  type SweepData,
  type SweepFinding,
  type SweepRequest,
} from './sweep-types.js';

/** What the sweep needs of the adapters (openAdapters' Adapters is one). */
export interface SweepAdapters {
  kube: KubeAdapter;
  destination: DestinationClient;
  options: ClusterOptions;
  controlPlane: ControlPlaneReader;
}

export interface SweepStepOptions {
  settleMs?: number;
  /** The time certificates are judged at (tests). */
  now?: Date;
  /** Waits `ms` before the second look; default a timer (tests may pass their own). */
  wait?: (ms: number) => Promise<void>;
  /**
   * Aborted when the sweep's result is no longer wanted (a report's sweepTimeout): no stream is
   * opened after it, the wait before the second look ends, and the sweep rejects with its reason.
   */
  signal?: AbortSignal;
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
function abortableDelay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal!.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** How long the destination gets for a port Kubernetes lists no ready endpoint for: today's controller sends nothing then. */
const EMPTY_SERVICE_WAIT_MS = 1_000;
const DESTINATION_ANSWERED: ReadonlySet<string> = new Set(['answered', 'no-endpoints', 'unknown-service']);

/** The EndpointSlices of one service, normalized, and `NAME@RESOURCEVERSION` of each, sorted. */
export interface ServiceSlices {
  namespace: string;
  service: string;
  endpoints: KubeEndpoint[];
  versions: string[];
}

/** Kubernetes' state of the namespaces in scope. */
interface KubeSnapshot {
  services: KubeService[];
  slices: Map<string, ServiceSlices>;
  podsByNamespace: Map<string, KubePod[]>;
  injected: Set<string>;
  notAsked: NotAsked[];
}

/** One look at one service port: its drift findings and the slice versions they were judged against. */
interface PortLook {
  service: KubeService;
  port: ServicePort;
  drift: Finding[];
  versions: string[];
  atMs: number;
}

interface LookError {
  error: MeshbotError;
  service: KubeService;
  port: ServicePort;
}

type LookOutcome = { ok: PortLook } | LookError;

const sliceKey = (namespace: string, service: string): string => `${namespace}/${service}`;

function validate(request: SweepRequest): { concurrency: number; persistenceMs: number } {
  const concurrency = request.concurrency ?? DEFAULT_SWEEP_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_SWEEP_CONCURRENCY) {
    throw new UsageError(
      `concurrency ${concurrency} is out of range`,
      `Give a whole number from 1 to ${MAX_SWEEP_CONCURRENCY}: the sweep must not become the load that takes the destination down.`,
    );
  }
  const persistenceMs = request.persistenceMs ?? DEFAULT_PERSISTENCE_MS;
  if (!Number.isFinite(persistenceMs) || persistenceMs < 0) {
    throw new UsageError(`persistence ${persistenceMs} ms is not a duration`, 'Give 0 or more, e.g. 10s.');
  }
  return { concurrency, persistenceMs };
}

function notAskedOf(what: string, err: unknown, services: number): NotAsked {
  const { message, hint } = describeError(err);
  const n: NotAsked = { what, reason: message, services };
  if (hint) n.hint = hint;
  return n;
}

function rethrowUnexpected(err: unknown): void {
  if (!(err instanceof MeshbotError) || err.kind === 'usage') throw err;
}

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/** The EndpointSlices of each service, with what changes whenever one of them does. */
export function groupSlices(slices: readonly KubeEndpointSlice[]): ServiceSlices[] {
  const byService = new Map<string, ServiceSlices>();
  for (const s of slices) {
    if (!s.service) continue;
    const key = sliceKey(s.namespace, s.service);
    let entry = byService.get(key);
    if (!entry)
      byService.set(
        key,
        (entry = { namespace: s.namespace, service: s.service, endpoints: [], versions: [] }),
      );
    entry.endpoints.push(...s.endpoints);
    entry.versions.push(`${s.name}@${s.resourceVersion}`);
  }
  for (const e of byService.values()) e.versions.sort();
  return [...byService.values()];
}

/** Lists services, EndpointSlices and pods of one namespace (or all), each failure recorded. */
async function readKubernetes(
  kube: KubeAdapter,
  namespaces: string[] | undefined,
  selector: string | undefined,
  what: { services: boolean },
): Promise<KubeSnapshot> {
  const snapshot: KubeSnapshot = {
    services: [],
    slices: new Map(),
    podsByNamespace: new Map(),
    injected: new Set(),
    notAsked: [],
  };
  const units: Array<string | undefined> = namespaces && namespaces.length > 0 ? namespaces : [undefined];
  const [nsList, ...perUnit] = await Promise.allSettled([
    what.services ? kube.listNamespaces() : Promise.resolve([]),
    ...units.map((ns) =>
      Promise.allSettled([
        what.services
          ? kube.listServices(ns, selector ? { labelSelector: selector } : {})
          : Promise.resolve([]),
        kube.listEndpointSlices(ns, { labelSelector: SERVICE_NAME_LABEL }).then(groupSlices),
        kube.listPods(ns),
      ]),
    ),
  ]);
  if (nsList!.status === 'fulfilled') {
    for (const n of nsList!.value as KubeNamespace[]) {
      if (n.annotations?.[INJECT_ANNOTATION] === 'enabled') snapshot.injected.add(n.name);
    }
  } else {
    rethrowUnexpected(nsList!.reason);
    snapshot.notAsked.push(notAskedOf('namespaces (injection annotations)', nsList!.reason, 0));
  }
  units.forEach((ns, i) => {
    const where = ns ? `in namespace ${ns}` : 'in all namespaces';
    const settled = perUnit[i]!;
    if (settled.status !== 'fulfilled') throw settled.reason;
    const [services, slices, pods] = settled.value as [
      PromiseSettledResult<KubeService[]>,
      PromiseSettledResult<ServiceSlices[]>,
      PromiseSettledResult<KubePod[]>,
    ];
    if (services.status === 'rejected') {
      rethrowUnexpected(services.reason);
      snapshot.notAsked.push(notAskedOf(`services ${where}`, services.reason, 0));
      return;
    }
    const failed = [slices, pods].find((r) => r.status === 'rejected');
    if (failed && failed.status === 'rejected') {
      rethrowUnexpected(failed.reason);
      const kind = failed === slices ? 'endpointslices' : 'pods';
      snapshot.notAsked.push(notAskedOf(`${kind} ${where}`, failed.reason, services.value.length));
      return;
    }
    snapshot.services.push(...services.value);
    if (slices.status === 'fulfilled') {
      for (const s of slices.value) snapshot.slices.set(sliceKey(s.namespace, s.service), s);
    }
    if (pods.status === 'fulfilled') {
      for (const p of pods.value) {
        let list = snapshot.podsByNamespace.get(p.namespace);
        if (!list) snapshot.podsByNamespace.set(p.namespace, (list = []));
        list.push(p);
      }
    }
  });
  return snapshot;
}

export async function runSweepStep(
  request: SweepRequest,
  adapters: SweepAdapters,
  stepOptions: SweepStepOptions = {},
): Promise<StepResult<SweepData>> {
  const { concurrency, persistenceMs } = validate(request);
  const t0 = performance.now();
  const startedAt = new Date().toISOString();
  const elapsed = (): number => performance.now() - t0;
  const cluster = request.cluster;
  const timeoutMs = adapters.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const clusterDomain = adapters.options.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN;
  const settleMs = stepOptions.settleMs ?? DEFAULT_SETTLE_MS;
  const { signal } = stepOptions;
  const wait = stepOptions.wait ?? ((ms: number) => abortableDelay(ms, signal));
  const namespaces = request.namespaces && request.namespaces.length > 0 ? request.namespaces : undefined;
  const limit = createConcurrencyLimit(concurrency);
  const data: SweepData = {
    cluster,
    scope: { namespaces: namespaces ?? 'all', ...(request.selector ? { selector: request.selector } : {}) },
    concurrency,
    persistenceMs,
    services: { listed: 0, meshed: 0, swept: 0, drifted: 0, unconfirmed: 0, notAsked: 0 },
    streams: 0,
    retried: 0,
    notAsked: [],
    timings: { kubernetesMs: 0, destinationMs: 0, confirmMs: 0, controlPlaneMs: 0, totalMs: 0 },
  };
  const findings: SweepFinding[] = [];

  /**
   * The control plane's checks. They start once the services' first look is done (during the
   * persistence wait): their list of every meshed pod and the sweep's own lists are not held
   * in memory at once.
   */
  let controlPlane: Promise<ControlPlaneDrift> | undefined;
  const startControlPlane = (): void => {
    if (request.controlPlane === false || controlPlane) return;
    const started = elapsed();
    controlPlane = controlPlaneDrift(cluster, adapters, {
      ...(namespaces?.length === 1 ? { namespace: namespaces[0]! } : {}),
      ...(stepOptions.now ? { now: stepOptions.now } : {}),
      ...(request.certificateWarningDays !== undefined
        ? { certificateWarningDays: request.certificateWarningDays }
        : {}),
    }).then((r) => {
      data.timings.controlPlaneMs = Math.round(elapsed() - started);
      return r;
    });
  };

  /** Looks at one port of a service: Kubernetes' endpoints of `slices` against the destination. */
  const lookAt = async (
    service: KubeService,
    port: ServicePort,
    slices: ServiceSlices | undefined,
    pods: KubePod[],
  ): Promise<LookOutcome> => {
    const name = `${service.name}.${service.namespace}`;
    const authority = `${name}.svc.${clusterDomain}:${port.port}`;
    const rows = kubernetesRows(
      { source: 'endpointslices', endpoints: slices?.endpoints ?? [] },
      port,
      servedFamily(service),
    );
    const ready = new Set(rows.filter((r) => r.ready).map((r) => r.address)).size;
    let view: DestinationPortView;
    try {
      data.streams++;
      view = viewToPort(
        await limit.run(() => {
          signal?.throwIfAborted();
          return adapters.destination.resolve(authority, {
            timeoutMs: ready === 0 ? Math.min(timeoutMs, EMPTY_SERVICE_WAIT_MS) : timeoutMs,
            settleMs,
            expectedCount: ready,
            contextToken: adapters.options.contextToken ?? JSON.stringify({ ns: service.namespace }),
          });
        }),
      );
    } catch (err) {
      rethrowUnexpected(err);
      const e = err as MeshbotError;
      // Today's controller sends nothing for a service without endpoints: silence agrees.
      if (!(ready === 0 && e.kind === 'timeout')) return { error: e, service, port };
      view = { answer: 'answered', endpoints: [], updates: [] };
    }
    const atMs = elapsed();
    if (!DESTINATION_ANSWERED.has(view.answer)) {
      return { error: new MeshbotError('unreachable', view.error?.message ?? view.answer), service, port };
    }
    const comparison: PortComparison = {
      port: port.port,
      name: port.name,
      targetPort: port.targetPort ?? port.port,
      protocol: port.protocol,
      authority,
      kubernetes: rows,
      destination: view,
      diff: diffPort(rows, view.endpoints),
    };
    const d = comparison.diff;
    const differs =
      d.staleInDestination.length > 0 ||
      d.missingFromDestination.length > 0 ||
      view.answer === 'unknown-service';
    const drift = differs
      ? driftFindings([
          ...findingsForAnswer(name, comparison, ready),
          ...findingsForPort({
            service: name,
            port: comparison,
            pods,
            selectorPods: new Set(selectedPods(service, pods).map((p) => p.name)),
          }),
        ])
      : [];
    return { ok: { service, port, drift, versions: slices?.versions ?? [], atMs } };
  };

  /** Looks at every port of every service; returns the looks that found a difference. */
  const lookAtAll = async (
    targets: Array<{ service: KubeService; port: ServicePort }>,
    snapshot: KubeSnapshot,
  ): Promise<{ looks: PortLook[]; errors: LookError[] }> => {
    const outcomes = await Promise.all(
      targets.map(({ service, port }) =>
        lookAt(
          service,
          port,
          snapshot.slices.get(sliceKey(service.namespace, service.name)),
          snapshot.podsByNamespace.get(service.namespace) ?? [],
        ),
      ),
    );
    const looks: PortLook[] = [];
    const errors: LookError[] = [];
    for (const o of outcomes) {
      if ('ok' in o) {
        if (o.ok.drift.length > 0) looks.push(o.ok);
      } else errors.push(o);
    }
    return { looks, errors };
  };

  const recordDestinationErrors = (errors: LookError[]): Set<string> => {
    const failed = new Set<string>();
    const byKind = new Map<string, typeof errors>();
    for (const e of errors) {
      failed.add(sliceKey(e.service.namespace, e.service.name));
      const list = byKind.get(e.error.kind) ?? [];
      list.push(e);
      byKind.set(e.error.kind, list);
    }
    for (const [kind, list] of byKind) {
      const services = new Set(list.map((e) => sliceKey(e.service.namespace, e.service.name))).size;
      const n = notAskedOf(
        `destination for ${services} service${services === 1 ? '' : 's'} (${kind})`,
        list[0]!.error,
        services,
      );
      data.notAsked.push(n);
    }
    return failed;
  };

  if (request.endpoints !== false) {
    // 1-2. Kubernetes with list calls, then every port of every meshed service against the
    // destination, `concurrency` streams at once. In a function of its own, so its lists
    // (every pod in scope) are garbage once it returns.
    const firstLook = async (): Promise<{ first: Awaited<ReturnType<typeof lookAtAll>>; meshed: number }> => {
      const snapshot = await readKubernetes(adapters.kube, namespaces, request.selector, { services: true });
      data.notAsked.push(...snapshot.notAsked);
      data.services.notAsked += snapshot.notAsked.reduce((n, x) => n + x.services, 0);
      data.services.listed = snapshot.services.length;
      const meshed = meshedServices({
        services: snapshot.services,
        pods: [...snapshot.podsByNamespace.values()].flat(),
        injectedNamespaces: snapshot.injected,
        endpointsOf: (ns, svc) => snapshot.slices.get(sliceKey(ns, svc))?.endpoints ?? [],
      });
      data.services.meshed = meshed.length;
      data.timings.kubernetesMs = Math.round(elapsed());
      void adapters.destination.warmUp();
      const first = await lookAtAll(
        meshed.flatMap((service) => service.ports.map((port) => ({ service, port }))),
        snapshot,
      );
      // Streams cut by a failed connection (a server that limits how fast streams are reset
      // ends the whole HTTP/2 session) are asked once more, on the channel's new connection.
      const cut = first.errors.filter((e) => e.error.kind === 'unreachable');
      if (cut.length > 0) {
        const retried = await lookAtAll(
          cut.map(({ service, port }) => ({ service, port })),
          snapshot,
        );
        first.looks.push(...retried.looks);
        first.errors = [...first.errors.filter((e) => e.error.kind !== 'unreachable'), ...retried.errors];
        data.retried = cut.length;
      }
      return { first, meshed: meshed.length };
    };
    const { first, meshed } = await firstLook();
    signal?.throwIfAborted();
    startControlPlane();
    const failedFirst = recordDestinationErrors(first.errors);
    data.timings.destinationMs = Math.round(elapsed()) - data.timings.kubernetesMs;

    // 3. A second look at what differed, once it has persisted long enough.
    let confirmed: PortLook[] = first.looks;
    const confirmStart = elapsed();
    if (persistenceMs > 0 && first.looks.length > 0) {
      const latest = Math.max(...first.looks.map((l) => l.atMs));
      const remaining = latest + persistenceMs - elapsed();
      if (remaining > 0) await wait(remaining);
      const candidateNamespaces = [...new Set(first.looks.map((l) => l.service.namespace))].sort();
      const again = await readKubernetes(adapters.kube, candidateNamespaces, undefined, { services: false });
      data.notAsked.push(...again.notAsked.map((n) => ({ ...n, what: `${n.what} (second look)` })));
      const second = await lookAtAll(
        first.looks.map((l) => ({ service: l.service, port: l.port })),
        again,
      );
      recordDestinationErrors(second.errors);
      const secondByKey = new Map(
        second.looks.map((l) => [`${sliceKey(l.service.namespace, l.service.name)}:${l.port.port}`, l]),
      );
      confirmed = [];
      for (const look of first.looks) {
        const later = secondByKey.get(
          `${sliceKey(look.service.namespace, look.service.name)}:${look.port.port}`,
        );
        const drift = later
          ? confirmDrift(look.drift, later.drift, versionsChanged(look.versions, later.versions))
          : [];
        if (drift.length > 0) confirmed.push({ ...later!, drift });
      }
      const confirmedServices = new Set(confirmed.map((l) => sliceKey(l.service.namespace, l.service.name)));
      data.services.unconfirmed = new Set(
        first.looks
          .map((l) => sliceKey(l.service.namespace, l.service.name))
          .filter((k) => !confirmedServices.has(k)),
      ).size;
    }
    data.timings.confirmMs = Math.round(elapsed() - confirmStart);
    for (const look of confirmed) {
      findings.push(
        ...groupPortFindings(
          cluster,
          `${look.service.name}.${look.service.namespace}`,
          look.port.port,
          look.drift,
        ),
      );
    }
    data.services.drifted = new Set(confirmed.map((l) => sliceKey(l.service.namespace, l.service.name))).size;
    data.services.notAsked += failedFirst.size;
    data.services.swept = meshed - failedFirst.size;
  }

  signal?.throwIfAborted();
  startControlPlane(); // when the services were not compared
  if (controlPlane) {
    const cp = await controlPlane;
    findings.push(...cp.findings);
    data.notAsked.push(...cp.notAsked);
  }
  for (const n of data.notAsked) {
    const subject = n.what.replace(/^destination for \d+ services? /, 'destination ');
    const f: SweepFinding = {
      severity: 'error',
      code: 'sweep-could-not-ask',
      kind: 'sweep-could-not-ask',
      subject,
      cluster,
      fingerprint: fingerprintOf(cluster, 'sweep-could-not-ask', subject),
      source: 'sweep',
      message: `could not ask ${n.what}: ${n.reason}`,
    };
    if (n.hint) f.hint = n.hint;
    findings.push(f);
  }

  data.timings.totalMs = Math.round(elapsed());
  const status = sweepStatus(findings);
  return {
    step: 'sweep',
    target: `${cluster}: ${namespaces ? `namespace${namespaces.length === 1 ? '' : 's'} ${namespaces.join(', ')}` : 'all namespaces'}${request.selector ? ` (${request.selector})` : ''}`,
    status,
    summary: summarize(data, findings),
    findings,
    evidence: evidence(findings, data),
    next: nextSteps(findings),
    data,
    startedAt,
    durationMs: data.timings.totalMs,
  };
}

/** Drift (warn/fail) decides first: exit 1 when something was found, 3 when nothing was but not everything could be asked. */
export function sweepStatus(findings: readonly SweepFinding[]): StepStatus {
  const drift = findings.filter((f) => f.source !== 'sweep');
  if (drift.some((f) => f.severity === 'fail')) return 'fail';
  if (drift.some((f) => f.severity === 'warn')) return 'warn';
  if (findings.some((f) => f.severity === 'error')) return 'error';
  return 'pass';
}

function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

function summarize(data: SweepData, findings: readonly SweepFinding[]): string {
  const s = data.services;
  const parts = [
    `${plural(s.swept, 'meshed service')} compared with the destination`,
    s.drifted > 0 ? `${s.drifted} drifted` : 'none drifted',
  ];
  if (s.unconfirmed > 0) parts.push(`${s.unconfirmed} differed once and were not confirmed`);
  const cp = findings.filter((f) => f.source === 'control-plane');
  parts.push(cp.length > 0 ? `${plural(cp.length, 'control-plane finding')}` : 'control plane ok');
  if (data.notAsked.length > 0) {
    parts.push(
      `could not ask ${data.notAsked.map((n) => n.what).join('; ')}${s.notAsked > 0 ? ` (${plural(s.notAsked, 'service')} not judged)` : ''}`,
    );
  }
  return `${data.cluster}: ${parts.join(', ')}.`;
}

function evidence(findings: readonly SweepFinding[], data: SweepData): EvidenceTable[] {
  const tables: EvidenceTable[] = [
    {
      title: 'Findings',
      columns: ['SEVERITY', 'KIND', 'SUBJECT', 'ADDRESSES', 'FINGERPRINT'],
      rows: findings
        .filter((f) => f.source !== 'sweep')
        .map((f) => [f.severity, f.kind, f.subject, (f.addresses ?? []).join(' '), f.fingerprint]),
    },
  ];
  if (data.notAsked.length > 0) {
    tables.push({
      title: 'Could not ask',
      columns: ['WHAT', 'SERVICES', 'REASON'],
      rows: data.notAsked.map((n) => [n.what, String(n.services), n.reason]),
    });
  }
  return tables;
}

function nextSteps(findings: readonly SweepFinding[]): NextStep[] {
  const targets = new Map<string, ServiceTarget>();
  for (const f of findings) {
    if (!f.service || f.port === undefined) continue;
    const [service, namespace] = f.service.split('.') as [string, string];
    targets.set(`${f.service}:${f.port}`, { service, namespace, port: f.port });
  }
  const next: NextStep[] = [...targets.entries()].slice(0, 3).map(([text, target]) => ({
    label: `Compare ${text} in detail`,
    command: meshCommands.endpoints(target),
  }));
  const first = [...targets.values()][0];
  if (first) {
    next.push({
      label: "Look at the destination's own numbers",
      command: meshCommands.metrics(first),
      description: 'Informer lag and endpoint updates: is the destination controller falling behind?',
    });
  }
  if (findings.some((f) => f.source === 'control-plane')) {
    next.push({ label: 'Run every check of the control plane', command: { name: 'check', proxy: true } });
  }
  return next;
}
