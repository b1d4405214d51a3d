/**
 * Test harness: an in-memory object store served by the sandbox API server, a kubeconfig for
 * it, the sandbox destination controller reading it, and a destination client built from
 * proto/ with @grpc/grpc-js. Helpers seed Kubernetes objects by hand and read streams.
 */
import * as grpc from '@grpc/grpc-js';
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { destinationServiceClient } from '../../../../src/adapters/destination/load-destination-proto.js';
import { startDestinationController } from '../../../../src/sandbox/destination/start-destination-controller.js';
import type { DestinationCompat } from '../../../../src/sandbox/destination/endpoint-view.js';
import { uint32ToIpv4 } from '../../../../src/sandbox/destination/ip-address.js';
import type { Fault } from '../../../../src/sandbox/fault-types.js';
import { startApiServer, type RunningApiServer } from '../../../../src/sandbox/kube/api-server.js';
import { createObjectStore } from '../../../../src/sandbox/kube/object-store.js';
import type { KubeObject, ObjectStore } from '../../../../src/sandbox/kube/store-types.js';
import { writeKubeconfig } from '../../../../src/sandbox/kube/write-kubeconfig.js';
import type { RunningDestinationController } from '../../../../src/sandbox/sandbox-types.js';

export const NS = 'emojivoto';

export interface Harness {
  store: ObjectStore;
  api: RunningApiServer;
  controller: RunningDestinationController;
  client: grpc.Client & Record<string, unknown>;
  open(path: string, contextToken?: string): UpdateStream;
  close(): Promise<void>;
}

export async function startHarness(
  opts: { faults?: Fault[]; seed?: (store: ObjectStore) => void; compat?: DestinationCompat } = {},
): Promise<Harness> {
  const store = createObjectStore();
  store.create(namespace(NS));
  store.create(node('node-1', 'zone-a'));
  store.create(node('node-2', 'zone-b'));
  opts.seed?.(store);
  const api = await startApiServer({ store });
  const kubeconfigPath = await writeKubeconfig({ server: api.url });
  const controller = await startDestinationController({
    kubeconfigPath,
    clusterName: 'sandbox',
    ...(opts.faults ? { faults: opts.faults } : {}),
    ...(opts.compat ? { compat: opts.compat } : {}),
  });
  await controller.ready();
  const Client = destinationServiceClient();
  const client = new Client(controller.address, grpc.credentials.createInsecure()) as grpc.Client &
    Record<string, unknown>;
  const streams: UpdateStream[] = [];
  return {
    store,
    api,
    controller,
    client,
    open(path, contextToken = '') {
      const stream = new UpdateStream(client, path, contextToken);
      streams.push(stream);
      return stream;
    },
    async close() {
      for (const s of streams) s.cancel();
      client.close();
      await controller.close();
      await api.close();
      store.close();
      await rm(dirname(kubeconfigPath), { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Reading streams

export interface DecodedAddr {
  addr: { ip: { ipv4?: number; ipv6?: unknown }; port: number };
  weight?: number;
  metric_labels?: Record<string, string>;
  tls_identity?: { dns_like_identity?: { name: string } };
  protocol_hint?: { h2?: unknown };
  resource_ref?: { resource?: { kind: string; name: string; namespace: string } };
}

export interface DecodedUpdate {
  update?: 'add' | 'remove' | 'no_endpoints';
  add?: { addrs?: DecodedAddr[]; metric_labels?: Record<string, string> };
  remove?: { addrs?: Array<DecodedAddr['addr']> };
  no_endpoints?: { exists?: boolean };
}

export function addrText(addr: DecodedAddr['addr']): string {
  return `${uint32ToIpv4(addr.ip.ipv4 ?? 0)}:${addr.port}`;
}

/** `IP:PORT` of the addresses an `add` or `remove` carries, sorted. */
export function addressesOf(update: DecodedUpdate): string[] {
  if (update.add) return (update.add.addrs ?? []).map((a) => addrText(a.addr)).sort();
  if (update.remove) return (update.remove.addrs ?? []).map(addrText).sort();
  return [];
}

export class UpdateStream {
  readonly messages: DecodedUpdate[] = [];
  readonly openedAt = Date.now();
  readonly arrivals: number[] = [];
  private read = 0;
  private waiters: Array<() => void> = [];
  private readonly call: grpc.ClientReadableStream<DecodedUpdate>;
  readonly status: Promise<grpc.StatusObject>;
  ended = false;

  constructor(client: grpc.Client & Record<string, unknown>, path: string, contextToken: string) {
    const get = client.Get as (req: unknown) => grpc.ClientReadableStream<DecodedUpdate>;
    this.call = get.call(client, { scheme: 'http:', path, context_token: contextToken });
    this.call.on('data', (msg: DecodedUpdate) => {
      this.messages.push(msg);
      this.arrivals.push(Date.now());
      this.wake();
    });
    this.call.on('error', () => undefined);
    this.status = new Promise((resolve) => {
      this.call.on('status', (s: grpc.StatusObject) => {
        this.ended = true;
        this.wake();
        resolve(s);
      });
    });
  }

  private wake(): void {
    const waiters = this.waiters.splice(0);
    for (const w of waiters) w();
  }

  /** The next message not yet read; rejects after `timeoutMs` or when the stream ends first. */
  async next(timeoutMs = 5000): Promise<DecodedUpdate> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const msg = this.messages[this.read];
      if (msg) {
        this.read += 1;
        return msg;
      }
      if (this.ended) throw new Error(`stream ended after ${this.messages.length} messages`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no message within ${timeoutMs} ms (${this.messages.length} so far)`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Asserts that no message arrives within `ms` (used where the point is that nothing comes). */
  async expectQuiet(ms: number): Promise<void> {
    const before = this.messages.length;
    await new Promise<void>((resolve) => setTimeout(resolve, ms));
    if (this.messages.length !== before) {
      throw new Error(`expected no message, got ${JSON.stringify(this.messages.slice(before))}`);
    }
  }

  cancel(): void {
    this.call.cancel();
  }
}

// ---------------------------------------------------------------------------------------------
// Kubernetes objects, by hand

export function namespace(name: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
}

export function node(name: string, zone: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': zone } },
    spec: {},
  };
}

export function pod(
  name: string,
  ip: string,
  opts: { meshed?: boolean; app?: string; hash?: string } = {},
): KubeObject {
  const app = opts.app ?? 'web';
  const hash = opts.hash ?? '5f7d8c9b6';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: NS,
      labels: {
        app,
        'pod-template-hash': hash,
        ...(opts.meshed === false
          ? {}
          : { 'linkerd.io/control-plane-ns': 'linkerd', 'linkerd.io/proxy-deployment': app }),
      },
      annotations: opts.meshed === false ? {} : { 'linkerd.io/proxy-version': 'stable-2.14.10' },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: `${app}-${hash}`,
          uid: `uid-${app}`,
          controller: true,
        },
      ],
    },
    spec: {
      serviceAccountName: app,
      nodeName: 'node-1',
      containers: [
        {
          name: app,
          image: `buoyantio/emojivoto-${app}:v11`,
          ports: [{ name: 'http', containerPort: 8080 }],
        },
      ],
    },
    status: {
      phase: 'Running',
      podIP: ip,
      podIPs: [{ ip }],
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date().toISOString() }],
    },
  };
}

export function service(
  name: string,
  ports = [{ name: 'http', port: 80, targetPort: 'http' as string | number }],
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: NS },
    spec: {
      selector: { app: name.replace(/-svc$/, '') },
      ports: ports.map((p) => ({ ...p, protocol: 'TCP' })),
    },
  };
}

export interface SliceEndpointSpec {
  ip: string;
  pod: string;
  ready?: boolean;
}

export function endpointSlice(
  name: string,
  svc: string,
  endpoints: SliceEndpointSpec[],
  port = 8080,
): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name,
      namespace: NS,
      labels: {
        'kubernetes.io/service-name': svc,
        'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
      },
      annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': new Date().toISOString() },
    },
    addressType: 'IPv4',
    ports: [{ name: 'http', port, protocol: 'TCP' }],
    endpoints: endpoints.map((e) => ({
      addresses: [e.ip],
      conditions: { ready: e.ready ?? true, serving: e.ready ?? true, terminating: false },
      nodeName: 'node-1',
      zone: 'zone-a',
      targetRef: { kind: 'Pod', name: e.pod, namespace: NS },
    })),
  };
}

/** Replaces a slice's endpoints (a new resourceVersion, a new trigger time). */
export function updateSlice(
  store: ObjectStore,
  name: string,
  svc: string,
  endpoints: SliceEndpointSpec[],
): void {
  const current = store.get({ group: 'discovery.k8s.io', plural: 'endpointslices' }, NS, name);
  if (!current) throw new Error(`no slice ${name}`);
  const next = endpointSlice(name, svc, endpoints);
  store.update({
    ...next,
    metadata: { ...next.metadata, resourceVersion: current.metadata.resourceVersion },
  });
}

// ---------------------------------------------------------------------------------------------
// Metrics

export async function scrape(url: string): Promise<string> {
  const res = await fetch(url);
  return res.text();
}

/** The value of the sample `name{labels...}` whose labels include `labels`, or undefined. */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const open = line.indexOf('{');
    const close = line.lastIndexOf('}');
    const labelText = open >= 0 && open < close ? line.slice(open + 1, close) : '';
    const found: Record<string, string> = {};
    for (const m of labelText.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      if (m[1] !== undefined && m[2] !== undefined) found[m[1]] = m[2];
    }
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) {
      return Number(line.slice((close >= 0 ? close + 1 : line.indexOf(' ')) + 0).trim());
    }
  }
  return undefined;
}
