/**
 * The controller's view of each service: the Service, EndpointSlices and pods it has applied
 * (which may lag behind the informers under faults), and per subscribed service port a
 * publisher that turns each applied change into add/remove messages for its listeners.
 *
 * Like Linkerd's port publishers, listeners are grouped by (hostname, node name); each group
 * keeps the snapshot its listeners were sent and owns one label set of the endpoints_*
 * metrics, created with its first listener and dropped with its last. A change costs work
 * proportional to the service's size plus the messages sent: never a scan of all objects.
 */
import { isDeepStrictEqual } from 'node:util';
import { addressesForPort, diffByKey, podRefsOf, type EndpointAddress } from './address-set.js';
import type { TcpAddress, Update, WeightedAddr } from './destination-messages.js';
import type { DestinationMetrics, EndpointsLabels } from './destination-metrics.js';
import type { PodInfo, ServiceInfo, SliceInfo } from './kube-objects.js';
import {
  addUpdate,
  noEndpointsUpdate,
  removeUpdate,
  setMetricLabels,
  toWeightedAddr,
  zoneLocality,
  type TranslateOptions,
} from './translate-to-update.js';

export interface Listener {
  send(update: Update): void;
}

export type ViewEvent =
  | { kind: 'service'; service: ServiceInfo | undefined }
  | { kind: 'slice'; name: string; slice: SliceInfo | undefined }
  | { kind: 'pod'; key: string; pod: PodInfo | undefined };

/** What the informers hold now for a service, for catching a view up. */
export interface CurrentState {
  service(key: string): ServiceInfo | undefined;
  slices(key: string): Iterable<SliceInfo>;
  pod(key: string): PodInfo | undefined;
}

/**
 * Which Linkerd the controller answers like: `current` (today's linkerd2: nothing on subscribe
 * for a service without endpoints, a `remove` when they go away, never `no_endpoints`) or
 * `legacy` (older controllers: `no_endpoints {exists}` on subscribe and when endpoints go away).
 */
export type DestinationCompat = 'current' | 'legacy';

export interface EndpointViewsOptions {
  /** Default `current`. */
  compat?: DestinationCompat;
  metrics: DestinationMetrics;
  clusterName: string;
  translate: TranslateOptions;
  current: CurrentState;
  /** Zone of a node, for zone_locality (undefined when unknown). */
  nodeZone(nodeName: string): string | undefined;
  /** Whether `drop-removes` applies to the service `NAMESPACE/NAME`. */
  dropRemoves(key: string): boolean;
}

interface Entry {
  address: EndpointAddress;
  weighted: WeightedAddr;
}

interface ListenerGroup {
  hostname: string;
  nodeName: string;
  /** Zone of the listeners' node, read when the group was made (as Linkerd does). */
  nodeZone: string | undefined;
  labels: EndpointsLabels;
  snapshot: Map<string, Entry>;
  /** Whether the listeners were last told the service exists. */
  exists: boolean;
  listeners: Set<Listener>;
}

interface PortPublisher {
  port: number;
  exists: boolean;
  addresses: Map<string, Entry>;
  groups: Map<string, ListenerGroup>;
}

interface ServiceView {
  namespace: string;
  name: string;
  service: ServiceInfo | undefined;
  slices: Map<string, SliceInfo>;
  /** Pods referred to by the applied slices, as last applied. */
  pods: Map<string, PodInfo>;
  podRefCount: Map<string, number>;
  publishers: Map<number, PortPublisher>;
}

export interface Subscription {
  /** Removes the listener; the last one of a group drops the group's metrics. */
  unsubscribe(): void;
}

/** Whether an address would be announced the same (compared, not kept as a JSON signature per address). */
const sameEntry = (a: Entry, b: Entry): boolean => a === b || isDeepStrictEqual(a.weighted, b.weighted);

function splitKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf('/');
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

export class EndpointViews {
  private readonly views = new Map<string, ServiceView>();
  /** Pod key -> services whose applied slices refer to it. */
  private readonly podRefs = new Map<string, Set<string>>();

  private readonly legacy: boolean;

  constructor(private readonly opts: EndpointViewsOptions) {
    this.legacy = opts.compat === 'legacy';
  }

  /** Services (`NAMESPACE/NAME`) whose applied slices refer to the pod. */
  servicesOfPod(podKey: string): string[] {
    return [...(this.podRefs.get(podKey) ?? [])];
  }

  /**
   * The Service as the controller has applied it (stale under `freeze`, late under `lag`): what
   * Linkerd's service lister answers, since it reads the same informer cache as its watchers.
   */
  serviceOf(key: string): ServiceInfo | undefined {
    return this.views.get(key)?.service;
  }

  /** Every service that has a view. */
  keys(): string[] {
    return [...this.views.keys()];
  }

  /** Applies one change to a service's view and publishes what it changed. */
  apply(key: string, event: ViewEvent): void {
    const view = this.viewOf(key);
    switch (event.kind) {
      case 'service':
        view.service = event.service;
        break;
      case 'slice': {
        const old = view.slices.get(event.name);
        if (event.slice) view.slices.set(event.name, event.slice);
        else view.slices.delete(event.name);
        this.updateRefs(key, view, old, event.slice);
        break;
      }
      case 'pod':
        if (!view.podRefCount.has(event.key)) {
          this.dropIfEmpty(key, view);
          return;
        }
        // A deleted pod keeps its last state while slices still list it.
        if (event.pod) view.pods.set(event.key, event.pod);
        break;
    }
    this.publishAll(view, event.kind !== 'pod');
    this.dropIfEmpty(key, view);
  }

  /** Brings a view to the informers' current state in one step (end of a freeze). */
  catchUp(key: string): void {
    const { current } = this.opts;
    const view = this.viewOf(key);
    view.service = current.service(key);
    const next = new Map<string, SliceInfo>();
    for (const slice of current.slices(key)) next.set(slice.name, slice);
    for (const [name, old] of view.slices) {
      if (!next.has(name)) this.updateRefs(key, view, old, undefined);
    }
    for (const [name, slice] of next) this.updateRefs(key, view, view.slices.get(name), slice);
    view.slices = next;
    for (const podKey of view.podRefCount.keys()) {
      const pod = current.pod(podKey);
      if (pod) view.pods.set(podKey, pod);
    }
    this.publishAll(view, true);
    this.dropIfEmpty(key, view);
  }

  /** Recomputes and publishes a view as it stands (after `drop-removes` is lifted). */
  republish(key: string): void {
    const view = this.views.get(key);
    if (view) this.publishAll(view, true);
  }

  /**
   * Adds a listener for one service port; it is sent the current state at once: `add` of the
   * addresses; without addresses, nothing (`current`), or `no_endpoints` (`legacy`; exists
   * false: no such service; true: none ready).
   */
  subscribe(key: string, port: number, hostname: string, nodeName: string, listener: Listener): Subscription {
    const view = this.viewOf(key);
    let publisher = view.publishers.get(port);
    if (!publisher) {
      publisher = { port, exists: false, addresses: new Map(), groups: new Map() };
      view.publishers.set(port, publisher);
      this.recompute(view, publisher);
    }
    const groupKey = `${hostname}\u0000${nodeName}`;
    let group = publisher.groups.get(groupKey);
    const { metrics } = this.opts;
    if (!group) {
      group = {
        hostname,
        nodeName,
        nodeZone: nodeName ? this.opts.nodeZone(nodeName) : undefined,
        labels: {
          cluster: this.opts.clusterName,
          namespace: view.namespace,
          service: view.name,
          port: String(port),
          hostname,
          nodename: nodeName,
        },
        snapshot: filterByHostname(publisher.addresses, hostname),
        exists: publisher.exists,
        listeners: new Set(),
      };
      publisher.groups.set(groupKey, group);
      metrics.endpointsUpdates.inc(group.labels, 0);
      metrics.endpointsExists.set(group.labels, group.exists ? 1 : 0);
      metrics.endpointsPods.set(group.labels, group.snapshot.size);
    }
    group.listeners.add(listener);
    metrics.endpointsSubscribers.set(group.labels, group.listeners.size);

    if (group.snapshot.size > 0) listener.send(this.addOf(view, group, [...group.snapshot.values()]));
    else if (this.legacy) listener.send(noEndpointsUpdate(group.exists));

    const g = group;
    const p = publisher;
    let done = false;
    return {
      unsubscribe: () => {
        if (done) return;
        done = true;
        g.listeners.delete(listener);
        if (g.listeners.size > 0) {
          metrics.endpointsSubscribers.set(g.labels, g.listeners.size);
          return;
        }
        metrics.removeEndpointsLabels(g.labels);
        p.groups.delete(groupKey);
        if (p.groups.size === 0 && view.publishers.get(port) === p) view.publishers.delete(port);
        this.dropIfEmpty(key, view);
      },
    };
  }

  private viewOf(key: string): ServiceView {
    let view = this.views.get(key);
    if (!view) {
      const { namespace, name } = splitKey(key);
      view = {
        namespace,
        name,
        service: undefined,
        slices: new Map(),
        pods: new Map(),
        podRefCount: new Map(),
        publishers: new Map(),
      };
      this.views.set(key, view);
    }
    return view;
  }

  private dropIfEmpty(key: string, view: ServiceView): void {
    if (
      !view.service &&
      view.slices.size === 0 &&
      view.publishers.size === 0 &&
      this.views.get(key) === view
    ) {
      this.views.delete(key);
    }
  }

  private updateRefs(
    key: string,
    view: ServiceView,
    old: SliceInfo | undefined,
    next: SliceInfo | undefined,
  ): void {
    if (old === next) return;
    if (next) {
      for (const podKey of podRefsOf(next)) {
        const count = view.podRefCount.get(podKey) ?? 0;
        view.podRefCount.set(podKey, count + 1);
        if (count === 0) {
          let services = this.podRefs.get(podKey);
          if (!services) this.podRefs.set(podKey, (services = new Set()));
          services.add(key);
          const pod = this.opts.current.pod(podKey);
          if (pod) view.pods.set(podKey, pod);
        }
      }
    }
    if (old) {
      for (const podKey of podRefsOf(old)) {
        const count = (view.podRefCount.get(podKey) ?? 1) - 1;
        if (count > 0) {
          view.podRefCount.set(podKey, count);
          continue;
        }
        view.podRefCount.delete(podKey);
        view.pods.delete(podKey);
        const services = this.podRefs.get(podKey);
        services?.delete(key);
        if (services?.size === 0) this.podRefs.delete(podKey);
      }
    }
  }

  private publishAll(view: ServiceView, countUpdate: boolean): void {
    for (const publisher of view.publishers.values()) {
      this.recompute(view, publisher);
      for (const group of publisher.groups.values()) this.publishTo(view, publisher, group, countUpdate);
    }
  }

  private recompute(view: ServiceView, publisher: PortPublisher): void {
    const key = `${view.namespace}/${view.name}`;
    const dropRemoves = this.opts.dropRemoves(key);
    let exists = view.service !== undefined;
    const next = new Map<string, Entry>();
    if (exists) {
      const found = addressesForPort(view.service, publisher.port, view.slices.values(), (podKey) =>
        view.pods.get(podKey),
      );
      for (const [addressKey, address] of found) {
        const weighted = toWeightedAddr(address, this.opts.translate);
        if (!weighted) continue;
        const prev = publisher.addresses.get(addressKey);
        const entry = { address, weighted };
        next.set(addressKey, prev && sameEntry(prev, entry) ? prev : entry);
      }
    }
    if (dropRemoves) {
      // Never remove: addresses that left keep being served (deleted pods' IPs stay).
      for (const [addressKey, entry] of publisher.addresses) {
        if (!next.has(addressKey)) next.set(addressKey, entry);
      }
      exists = exists || publisher.exists;
    }
    publisher.addresses = next;
    publisher.exists = exists;
  }

  private publishTo(
    view: ServiceView,
    publisher: PortPublisher,
    group: ListenerGroup,
    countUpdate: boolean,
  ): void {
    const { metrics } = this.opts;
    const updates: Update[] = [];
    if (!publisher.exists) {
      if (group.exists) {
        if (group.snapshot.size > 0) updates.push(this.removeOf([...group.snapshot.values()]));
        if (this.legacy) updates.push(noEndpointsUpdate(false));
      }
      group.snapshot = new Map();
      group.exists = false;
    } else {
      const filtered = filterByHostname(publisher.addresses, group.hostname);
      const { added, removed } = diffByKey(group.snapshot, filtered, sameEntry);
      if (this.legacy && !group.exists && filtered.size === 0) updates.push(noEndpointsUpdate(true));
      if (added.length > 0) updates.push(this.addOf(view, group, added));
      if (removed.length > 0) updates.push(this.removeOf(removed));
      group.snapshot = filtered;
      group.exists = true;
    }
    for (const listener of group.listeners) {
      for (const update of updates) listener.send(update);
    }
    if (countUpdate || updates.length > 0) metrics.endpointsUpdates.inc(group.labels);
    metrics.endpointsPods.set(group.labels, group.snapshot.size);
    metrics.endpointsExists.set(group.labels, group.exists ? 1 : 0);
  }

  private addOf(view: ServiceView, group: ListenerGroup, entries: Entry[]): Update {
    const { nodeZone } = group;
    const addrs = nodeZone
      ? entries.map((e) => ({
          ...e.weighted,
          metric_labels: {
            ...e.weighted.metric_labels,
            zone_locality: zoneLocality(e.address.zone, nodeZone),
          },
        }))
      : entries.map((e) => e.weighted);
    return addUpdate(addrs, setMetricLabels(view.namespace, view.name));
  }

  private removeOf(entries: Entry[]): Update {
    return removeUpdate(entries.map((e): TcpAddress => e.weighted.addr));
  }
}

function filterByHostname(addresses: Map<string, Entry>, hostname: string): Map<string, Entry> {
  if (!hostname) return new Map(addresses);
  const out = new Map<string, Entry>();
  for (const [key, entry] of addresses) {
    if (entry.address.hostname === hostname) out.set(key, entry);
  }
  return out;
}
