/**
 * Watches Services, EndpointSlices (discovery.k8s.io/v1) and Pods through the API server
 * named by a kubeconfig, with client-node informers (list, then watch from the list's
 * resourceVersion, relist on 410), as Linkerd's destination controller does with client-go.
 * Keeps the parsed objects, reports each change with the previous state, and measures
 * informer lag (now minus the object's change time) on updates.
 *
 * client-node's ListWatch stops on a watch error other than 410; this module restarts it
 * after a short backoff, as client-go's reflector does.
 */
import * as k8s from '@kubernetes/client-node';
import { get as httpGet } from 'node:http';
import { get as httpsGet, type RequestOptions } from 'node:https';
import * as z from 'zod';
import type { DestinationMetrics, InformerKind } from './destination-metrics.js';
import {
  objectKey,
  parseEndpointSlice,
  parseNode,
  parsePod,
  parseService,
  type NodeInfo,
  type PodInfo,
  type ServiceInfo,
  type SliceInfo,
} from './kube-objects.js';
import { createListStream } from './list-stream.js';

export type ChangeType = 'add' | 'update' | 'delete';

export interface InformerHandlers {
  service(type: ChangeType, next: ServiceInfo | undefined, prev: ServiceInfo | undefined): void;
  slice(type: ChangeType, next: SliceInfo | undefined, prev: SliceInfo | undefined): void;
  pod(type: ChangeType, next: PodInfo | undefined, prev: PodInfo | undefined): void;
}

export interface EndpointInformers {
  /**
   * Resolves once the Service, EndpointSlice and Pod informers have listed once (and the Node
   * informer has tried once); rejects if stopped before.
   */
  ready: Promise<void>;
  synced(): boolean;
  services: ReadonlyMap<string, ServiceInfo>;
  pods: ReadonlyMap<string, PodInfo>;
  /** Nodes by name, for the zone of a subscriber's node (best effort: `ready` waits for one attempt). */
  nodes: ReadonlyMap<string, NodeInfo>;
  /** Slices of a service (`NAMESPACE/SERVICE`). */
  slicesOf(serviceKey: string): Iterable<SliceInfo>;
  stop(): Promise<void>;
}

const listEnvelopeSchema = z.object({
  metadata: z.object({ resourceVersion: z.string().optional() }).optional(),
  items: z.array(z.unknown()),
});
/** What every item must have (checked, not copied: the item itself is kept). */
const listItemSchema = z.object({ metadata: z.object({ name: z.string() }) });

/** The key of a namespaced object, as the parsers give it (no namespace: `default`). */
const namespacedKey = (namespace: string | undefined, name: string): string =>
  objectKey(namespace ?? 'default', name);

const RESTART_BACKOFF_MS = [250, 500, 1000, 2000, 5000];

interface Spec<T> {
  /** Which informer lag histogram to feed, if any. */
  kind: InformerKind | undefined;
  /** Whether `ready` waits for this informer's first list. */
  required: boolean;
  path: string;
  parse(raw: unknown): T | undefined;
  key(obj: T): string;
  /** The same key from an object's metadata namespace and name. */
  keyOfMeta(namespace: string | undefined, name: string): string;
  changedAt(obj: T): number | undefined;
  resourceVersion(obj: T): string | undefined;
  onChange(type: ChangeType, next: T | undefined, prev: T | undefined): void;
}

function toKubernetesObject(raw: unknown): k8s.KubernetesObject {
  return raw as k8s.KubernetesObject;
}

/**
 * Cuts an object client-node's cache holds down to what that cache reads (namespace, name,
 * resourceVersion), in place, once it has been parsed: the parsed view is kept here, and the
 * cache would otherwise hold every full Pod (about 40 MB at 10,000 pods).
 */
function trimCached(raw: k8s.KubernetesObject): void {
  const record = raw as unknown as Record<string, unknown>;
  for (const key of Object.keys(record)) if (key !== 'metadata') delete record[key];
  raw.metadata = slimMeta(raw);
}

function slimMeta(raw: k8s.KubernetesObject): k8s.V1ObjectMeta {
  const meta = raw.metadata ?? {};
  const slim: k8s.V1ObjectMeta = { name: meta.name ?? '' };
  if (meta.namespace !== undefined) slim.namespace = meta.namespace;
  if (meta.resourceVersion !== undefined) slim.resourceVersion = meta.resourceVersion;
  return slim;
}

/**
 * Lists `path` from the cluster with the kubeconfig's credentials and agent (no keep-alive),
 * reading the response as it arrives: each item is checked and handed to `prepare` (which
 * parses it and gives what client-node's cache is to hold instead) as soon as it is read, so
 * the whole list is never held at full size (see list-stream.ts).
 */
async function listRaw(
  kc: k8s.KubeConfig,
  path: string,
  prepare: (item: k8s.KubernetesObject) => k8s.KubernetesObject,
): Promise<k8s.KubernetesListObject<k8s.KubernetesObject>> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('kubeconfig has no current cluster');
  const url = new URL(`${cluster.server}${path}`);
  const opts: RequestOptions = {};
  await kc.applyToHTTPSOptions(opts);
  opts.headers = { ...opts.headers, accept: 'application/json' };
  const get = url.protocol === 'https:' ? httpsGet : httpGet;
  const items: k8s.KubernetesObject[] = [];
  const envelope = await new Promise<unknown>((resolve, reject) => {
    const req = get(url, opts, (res) => {
      const status = res.statusCode ?? 0;
      if (status < 200 || status >= 300) {
        res.resume();
        const err = new Error(`GET ${path}: HTTP ${status}`) as Error & { statusCode: number };
        err.statusCode = status;
        reject(err);
        return;
      }
      const stream = createListStream((raw) => {
        const checked = listItemSchema.safeParse(raw);
        if (!checked.success) throw checked.error;
        items.push(prepare(toKubernetesObject(raw)));
      });
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        try {
          stream.write(chunk);
        } catch (err) {
          req.destroy();
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      });
      res.on('error', reject);
      res.on('end', () => {
        try {
          resolve(stream.end());
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      });
    });
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error(`GET ${path}: timed out`)));
  });
  const body = listEnvelopeSchema.parse(envelope);
  return {
    apiVersion: 'v1',
    kind: 'List',
    metadata: { resourceVersion: body.metadata?.resourceVersion ?? '' },
    items,
  };
}

export function startEndpointInformers(
  kubeconfigPath: string,
  handlers: InformerHandlers,
  metrics: DestinationMetrics,
): EndpointInformers {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfigPath);

  const services = new Map<string, ServiceInfo>();
  const slices = new Map<string, SliceInfo>();
  const slicesByService = new Map<string, Map<string, SliceInfo>>();
  const pods = new Map<string, PodInfo>();
  const nodes = new Map<string, NodeInfo>();

  let stopped = false;
  const timers = new Set<NodeJS.Timeout>();
  const informers: Array<k8s.Informer<k8s.KubernetesObject>> = [];
  const syncPromises: Array<Promise<void>> = [];
  let syncedCount = 0;
  let rejectAll: (err: Error) => void = () => undefined;
  const stoppedPromise = new Promise<never>((_, reject) => {
    rejectAll = reject;
  });
  stoppedPromise.catch(() => undefined);

  function run<T>(spec: Spec<T>, cache: Map<string, T>): void {
    let listed = false;
    let attempt = 0;
    let resolveSynced: () => void = () => undefined;
    const syncedOnce = new Promise<void>((resolve) => {
      resolveSynced = resolve;
    });
    // An optional informer (nodes) only delays `ready` until its first attempt, whatever came of it.
    let resolveSettled: () => void = () => undefined;
    const settled = new Promise<void>((resolve) => {
      resolveSettled = resolve;
    });
    syncPromises.push(spec.required ? syncedOnce : settled);
    /**
     * Items of a list, parsed as they were read, by the slim object (namespace, name,
     * resourceVersion) client-node's cache holds instead, until client-node hands them on.
     */
    const preparsed = new WeakMap<k8s.KubernetesObject, T | undefined>();
    const informer = k8s.makeInformer(kc, spec.path, async () => {
      const list = await listRaw(kc, spec.path, (raw) => {
        const slim: k8s.KubernetesObject = { metadata: slimMeta(raw) };
        preparsed.set(slim, spec.parse(raw));
        return slim;
      });
      listed = true;
      return list;
    });
    informers.push(informer);

    const upsert = (raw: k8s.KubernetesObject): void => {
      let obj: T | undefined;
      if (preparsed.has(raw)) {
        obj = preparsed.get(raw);
        preparsed.delete(raw);
      } else {
        obj = spec.parse(raw);
        trimCached(raw);
      }
      if (!obj) return;
      const key = spec.key(obj);
      const prev = cache.get(key);
      if (prev !== undefined && spec.resourceVersion(prev) === spec.resourceVersion(obj)) return;
      cache.set(key, obj);
      if (prev !== undefined) {
        const changedAt = spec.changedAt(obj);
        if (spec.kind && changedAt !== undefined && changedAt !== spec.changedAt(prev)) {
          metrics.observeInformerLag(spec.kind, changedAt);
        }
      }
      spec.onChange(prev === undefined ? 'add' : 'update', obj, prev);
    };
    informer.on('add', upsert);
    informer.on('update', upsert);
    informer.on('delete', (raw) => {
      // `raw` may be the trimmed cached object (a relist's deletions): the key is all it needs.
      const key = spec.keyOfMeta(raw.metadata?.namespace, raw.metadata?.name ?? '');
      const prev = cache.get(key);
      if (prev === undefined) return;
      cache.delete(key);
      spec.onChange('delete', undefined, prev);
    });

    const start = (): void => {
      if (stopped) return;
      informer.start().then(
        () => {
          resolveSettled();
          if (stopped || !listed) return;
          attempt = 0;
          resolveSynced();
        },
        () => {
          resolveSettled();
          restart();
        },
      );
    };
    const restart = (): void => {
      if (stopped) return;
      const delay = RESTART_BACKOFF_MS[Math.min(attempt, RESTART_BACKOFF_MS.length - 1)] ?? 5000;
      attempt += 1;
      const timer = setTimeout(() => {
        timers.delete(timer);
        start();
      }, delay);
      timer.unref();
      timers.add(timer);
    };
    informer.on('error', () => restart());
    start();
  }

  const sliceKey = (s: SliceInfo): string => objectKey(s.namespace, s.name);
  const serviceKeyOfSlice = (s: SliceInfo): string => objectKey(s.namespace, s.serviceName);

  run<ServiceInfo>(
    {
      kind: 'services',
      required: true,
      path: '/api/v1/services',
      parse: parseService,
      key: (s) => objectKey(s.namespace, s.name),
      keyOfMeta: namespacedKey,
      changedAt: (s) => s.changedAt,
      resourceVersion: (s) => s.resourceVersion,
      onChange: (type, next, prev) => handlers.service(type, next, prev),
    },
    services,
  );
  run<SliceInfo>(
    {
      kind: 'endpointslices',
      required: true,
      path: '/apis/discovery.k8s.io/v1/endpointslices',
      parse: parseEndpointSlice,
      key: sliceKey,
      keyOfMeta: namespacedKey,
      changedAt: (s) => s.changedAt,
      resourceVersion: (s) => s.resourceVersion,
      onChange: (type, next, prev) => {
        if (prev) slicesByService.get(serviceKeyOfSlice(prev))?.delete(prev.name);
        if (prev && slicesByService.get(serviceKeyOfSlice(prev))?.size === 0) {
          slicesByService.delete(serviceKeyOfSlice(prev));
        }
        if (next) {
          const svcKey = serviceKeyOfSlice(next);
          let byName = slicesByService.get(svcKey);
          if (!byName) slicesByService.set(svcKey, (byName = new Map()));
          byName.set(next.name, next);
        }
        handlers.slice(type, next, prev);
      },
    },
    slices,
  );
  run<PodInfo>(
    {
      kind: 'pods',
      required: true,
      path: '/api/v1/pods',
      parse: parsePod,
      key: (p) => objectKey(p.namespace, p.name),
      keyOfMeta: namespacedKey,
      changedAt: (p) => p.changedAt,
      resourceVersion: (p) => p.resourceVersion,
      onChange: (type, next, prev) => handlers.pod(type, next, prev),
    },
    pods,
  );

  run<NodeInfo>(
    {
      kind: undefined,
      required: false,
      path: '/api/v1/nodes',
      parse: parseNode,
      key: (n) => n.name,
      keyOfMeta: (_namespace, name) => name,
      changedAt: () => undefined,
      resourceVersion: (n) => n.resourceVersion,
      onChange: () => undefined,
    },
    nodes,
  );

  const ready = Promise.race([
    Promise.all(syncPromises).then(() => {
      syncedCount = syncPromises.length;
    }),
    stoppedPromise,
  ]);
  ready.catch(() => undefined);

  return {
    ready,
    synced: () => syncedCount > 0,
    services,
    pods,
    nodes,
    slicesOf: (serviceKey) => slicesByService.get(serviceKey)?.values() ?? [],
    stop: async () => {
      if (stopped) return;
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      rejectAll(new Error('destination controller closed before its informers synced'));
      await Promise.all(informers.map((informer) => informer.stop()));
    },
  };
}
