/**
 * Server-side printing: `meta.k8s.io/v1 Table` objects with the columns the real API server
 * uses (pkg/printers/internalversion), so `kubectl get` prints the familiar output. Kinds
 * without a printer get NAME and AGE.
 */
import { formatLabelSelector, type StructuredLabelSelector } from './label-selector.js';
import type { KindSpec, KubeObject } from './store-types.js';

export interface ColumnDefinition {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format: string;
  description: string;
  priority: number;
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface TableRow {
  cells: unknown[];
  object?: unknown;
}

export interface Table {
  kind: 'Table';
  apiVersion: string;
  metadata: { resourceVersion?: string; continue?: string };
  columnDefinitions: ColumnDefinition[];
  rows: TableRow[];
}

type Cell = string | number;

interface Printer {
  columns: ColumnDefinition[];
  /** Cells after NAME (all cells when `nameless`), in column order. */
  cells(obj: KubeObject, now: number): Cell[];
  /** The columns have no leading NAME (events). */
  nameless?: boolean;
}

function column(name: string, description: string, priority = 0, type: ColumnDefinition['type'] = 'string') {
  return { name, type, format: name === 'Name' ? 'name' : '', description, priority };
}

const NAME = column('Name', 'Name must be unique within a namespace.');
const AGE = column(
  'Age',
  'CreationTimestamp is a timestamp representing the server time when this object was created.',
);
/** The wide (-o wide) columns kubectl prints for the workloads' pod templates. */
const CONTAINERS = column('Containers', 'Names of each container in the template.', 1);
const IMAGES = column('Images', 'Images referenced by each container in the template.', 1);
const POD_SELECTOR = column('Selector', 'Label selector for pods.', 1);

/** k8s.io/apimachinery/pkg/util/duration.HumanDuration */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.floor(hours / 24) % 365;
    const y = Math.floor(hours / 24 / 365);
    return dy === 0 ? `${y}y` : `${y}y${dy}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

function age(obj: KubeObject, now: number): string {
  const created = obj.metadata.creationTimestamp;
  if (!created) return '<unknown>';
  const t = Date.parse(created);
  return Number.isNaN(t) ? '<unknown>' : humanDuration(now - t);
}

function rec(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/** At most three entries, then ` + N more...`, as the real printers do. */
function firstThree(items: string[], empty: string): string {
  if (items.length === 0) return empty;
  const shown = items.slice(0, 3).join(',');
  return items.length > 3 ? `${shown} + ${items.length - 3} more...` : shown;
}

/** `spec.selector` of a workload as kubectl prints it (`app=web,tier in (a,b)`); '' when absent or malformed. */
function selectorText(selector: unknown): string {
  const sel = rec(selector);
  if (Object.keys(sel).length === 0) return '';
  try {
    return formatLabelSelector(sel as StructuredLabelSelector);
  } catch {
    return '';
  }
}

function containersAndImages(podSpec: unknown): [string, string] {
  const containers = arr(rec(podSpec)['containers']).map(rec);
  return [
    containers.map((c) => str(c['name']) ?? '').join(','),
    containers.map((c) => str(c['image']) ?? '').join(','),
  ];
}

function podCells(pod: KubeObject): Cell[] {
  const spec = rec(pod['spec']);
  const status = rec(pod['status']);
  const total = arr(spec['containers']).length;
  let reason = str(status['reason']) ?? str(status['phase']) ?? 'Unknown';
  let ready = 0;
  let restarts = 0;
  let hasRunning = false;
  const statuses = arr(status['containerStatuses']).map(rec);
  for (let i = statuses.length - 1; i >= 0; i--) {
    const cs = statuses[i] ?? {};
    restarts += num(cs['restartCount']);
    const state = rec(cs['state']);
    const waiting = rec(state['waiting']);
    const terminated = rec(state['terminated']);
    if (str(waiting['reason'])) {
      reason = str(waiting['reason']) ?? reason;
    } else if (str(terminated['reason'])) {
      reason = str(terminated['reason']) ?? reason;
    } else if (state['terminated'] !== undefined) {
      reason =
        num(terminated['signal']) !== 0
          ? `Signal:${num(terminated['signal'])}`
          : `ExitCode:${num(terminated['exitCode'])}`;
    } else if (cs['ready'] === true && state['running'] !== undefined) {
      hasRunning = true;
      ready++;
    }
  }
  if (reason === 'Completed' && hasRunning) reason = 'Running';
  if (pod.metadata.deletionTimestamp) {
    reason = status['reason'] === 'NodeLost' ? 'Unknown' : 'Terminating';
  }
  const gates = arr(spec['readinessGates']).length;
  return [
    `${ready}/${total}`,
    reason,
    String(restarts),
    str(status['podIP']) ?? '<none>',
    str(spec['nodeName']) ?? '<none>',
    str(status['nominatedNodeName']) ?? '<none>',
    gates === 0 ? '<none>' : `0/${gates}`,
  ];
}

function servicePorts(spec: Record<string, unknown>): string {
  const ports = arr(spec['ports']).map(rec);
  if (ports.length === 0) return '<none>';
  return ports
    .map((p) => {
      const protocol = str(p['protocol']) ?? 'TCP';
      const nodePort = num(p['nodePort']);
      return nodePort ? `${num(p['port'])}:${nodePort}/${protocol}` : `${num(p['port'])}/${protocol}`;
    })
    .join(',');
}

function externalIp(spec: Record<string, unknown>, status: Record<string, unknown>): string {
  const type = str(spec['type']) ?? 'ClusterIP';
  const externalIPs = arr(spec['externalIPs']).map(String);
  if (type === 'ExternalName') return str(spec['externalName']) ?? '<none>';
  if (type === 'LoadBalancer') {
    const ingress = arr(rec(status['loadBalancer'])['ingress'])
      .map(rec)
      .map((i) => str(i['ip']) ?? str(i['hostname']) ?? '')
      .filter(Boolean);
    const all = [...ingress, ...externalIPs];
    return all.length ? all.join(',') : '<pending>';
  }
  return externalIPs.length ? externalIPs.join(',') : '<none>';
}

function endpointsList(ep: KubeObject): string {
  const items: string[] = [];
  for (const subsetRaw of arr(ep['subsets'])) {
    const subset = rec(subsetRaw);
    const addresses = arr(subset['addresses']).map(rec);
    const ports = arr(subset['ports']).map(rec);
    if (ports.length === 0) {
      for (const a of addresses) items.push(str(a['ip']) ?? '');
      continue;
    }
    for (const p of ports) {
      for (const a of addresses) items.push(`${str(a['ip']) ?? ''}:${num(p['port'])}`);
    }
  }
  return firstThree(items, '<none>');
}

function sliceCells(slice: KubeObject): Cell[] {
  const ports = arr(slice['ports'])
    .map(rec)
    .map((p) => (p['port'] === undefined || p['port'] === null ? '' : String(num(p['port']))))
    .filter(Boolean);
  const addresses: string[] = [];
  for (const e of arr(slice['endpoints']).map(rec)) {
    for (const a of arr(e['addresses'])) addresses.push(String(a));
  }
  return [
    str(slice['addressType']) ?? '',
    ports.length ? firstThree(ports, '<unset>') : '<unset>',
    firstThree(addresses, '<unset>'),
  ];
}

/** Printers by `group/plural`. */
const WORKLOAD_PRINTERS: Record<string, Printer> = {
  '/pods': {
    columns: [
      NAME,
      column('Ready', 'The aggregate readiness state of this pod for accepting traffic.'),
      column('Status', 'The aggregate status of the containers in this pod.'),
      column('Restarts', 'The number of times the containers in this pod have been restarted.'),
      AGE,
      column('IP', 'IP address allocated to the pod.', 1),
      column('Node', 'NodeName is the name of the node the pod is scheduled on.', 1),
      column('Nominated Node', 'nominatedNodeName is set when this pod preempts other pods.', 1),
      column('Readiness Gates', 'If specified, all readiness gates will be evaluated for pod readiness.', 1),
    ],
    cells: (pod, now) => {
      const [ready, status, restarts, ...wide] = podCells(pod);
      return [ready ?? '', status ?? '', restarts ?? '', age(pod, now), ...wide];
    },
  },
  '/services': {
    columns: [
      NAME,
      column('Type', 'type determines how the Service is exposed.'),
      column('Cluster-IP', 'clusterIP is the IP address of the service.'),
      column('External-IP', 'externalIPs is a list of IP addresses for which nodes also accept traffic.'),
      column('Port(s)', 'The list of ports that are exposed by this service.'),
      AGE,
      column(
        'Selector',
        'Route service traffic to pods with label keys and values matching this selector.',
        1,
      ),
    ],
    cells: (svc, now) => {
      const spec = rec(svc['spec']);
      const selector = Object.entries(rec(spec['selector']))
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(',');
      return [
        str(spec['type']) ?? 'ClusterIP',
        str(spec['clusterIP']) ?? '<none>',
        externalIp(spec, rec(svc['status'])),
        servicePorts(spec),
        age(svc, now),
        selector || '<none>',
      ];
    },
  },
  '/endpoints': {
    columns: [NAME, column('Endpoints', 'Endpoints is the list of endpoints in this object.'), AGE],
    cells: (ep, now) => [endpointsList(ep), age(ep, now)],
  },
  'discovery.k8s.io/endpointslices': {
    columns: [
      NAME,
      column('AddressType', 'addressType specifies the type of address carried by this EndpointSlice.'),
      column('Ports', 'ports specifies the list of network ports exposed by each endpoint.'),
      column('Endpoints', 'endpoints is a list of unique endpoints in this slice.'),
      AGE,
    ],
    cells: (slice, now) => [...sliceCells(slice), age(slice, now)],
  },
  'apps/deployments': {
    columns: [
      NAME,
      column('Ready', 'Number of the pod with ready state'),
      column('Up-to-date', 'Total number of non-terminated pods targeted by this deployment.'),
      column('Available', 'Total number of available pods targeted by this deployment.'),
      AGE,
      CONTAINERS,
      IMAGES,
      POD_SELECTOR,
    ],
    cells: (d, now) => {
      const spec = rec(d['spec']);
      const status = rec(d['status']);
      const desired = spec['replicas'] === undefined ? 1 : num(spec['replicas']);
      const [containers, images] = containersAndImages(rec(spec['template'])['spec']);
      return [
        `${num(status['readyReplicas'])}/${desired}`,
        num(status['updatedReplicas']),
        num(status['availableReplicas']),
        age(d, now),
        containers,
        images,
        selectorText(spec['selector']) || '<none>',
      ];
    },
  },
  'apps/replicasets': {
    columns: [
      NAME,
      column('Desired', 'Number of desired pods.', 0, 'integer'),
      column('Current', 'Number of actual replicas.', 0, 'integer'),
      column('Ready', 'The number of ready replicas for this replica set.', 0, 'integer'),
      AGE,
      CONTAINERS,
      IMAGES,
      POD_SELECTOR,
    ],
    cells: (rs, now) => {
      const spec = rec(rs['spec']);
      const status = rec(rs['status']);
      const [containers, images] = containersAndImages(rec(spec['template'])['spec']);
      return [
        spec['replicas'] === undefined ? 1 : num(spec['replicas']),
        num(status['replicas']),
        num(status['readyReplicas']),
        age(rs, now),
        containers,
        images,
        selectorText(spec['selector']) || '<none>',
      ];
    },
  },
  'apps/statefulsets': {
    columns: [NAME, column('Ready', 'Number of the pod with ready state'), AGE, CONTAINERS, IMAGES],
    cells: (s, now) => {
      const spec = rec(s['spec']);
      const [containers, images] = containersAndImages(rec(spec['template'])['spec']);
      const desired = spec['replicas'] === undefined ? 1 : num(spec['replicas']);
      return [`${num(rec(s['status'])['readyReplicas'])}/${desired}`, age(s, now), containers, images];
    },
  },
  // kubectl's printDaemonSet: DESIRED CURRENT READY UP-TO-DATE AVAILABLE NODE SELECTOR AGE.
  'apps/daemonsets': {
    columns: [
      NAME,
      column('Desired', 'The total number of nodes that should be running the daemon pod.', 0, 'integer'),
      column('Current', 'The number of nodes that are running at least one daemon pod.', 0, 'integer'),
      column(
        'Ready',
        'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.',
        0,
        'integer',
      ),
      column('Up-to-date', 'The total number of nodes that are running updated daemon pod.', 0, 'integer'),
      column(
        'Available',
        'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available.',
        0,
        'integer',
      ),
      column('Node Selector', 'NodeSelector is a selector which must be true for the pod to fit on a node.'),
      AGE,
      CONTAINERS,
      IMAGES,
      POD_SELECTOR,
    ],
    cells: (ds, now) => {
      const spec = rec(ds['spec']);
      const status = rec(ds['status']);
      const podSpec = rec(rec(spec['template'])['spec']);
      const nodeSelector = Object.entries(rec(podSpec['nodeSelector']))
        .map(([k, v]) => `${k}=${String(v)}`)
        .sort()
        .join(',');
      const [containers, images] = containersAndImages(podSpec);
      return [
        num(status['desiredNumberScheduled']),
        num(status['currentNumberScheduled']),
        num(status['numberReady']),
        num(status['updatedNumberScheduled']),
        num(status['numberAvailable']),
        nodeSelector || '<none>',
        age(ds, now),
        containers,
        images,
        selectorText(spec['selector']) || '<none>',
      ];
    },
  },
  '/namespaces': {
    columns: [NAME, column('Status', 'The status of the namespace'), AGE],
    cells: (ns, now) => [str(rec(ns['status'])['phase']) ?? 'Active', age(ns, now)],
  },
  '/configmaps': {
    columns: [NAME, column('Data', 'Number of data in configmap', 0, 'integer'), AGE],
    cells: (cm, now) =>
      [
        Object.keys(rec(cm['data'])).length + Object.keys(rec(cm['binaryData'])).length,
        age(cm, now),
      ] as Cell[],
  },
  '/secrets': {
    columns: [
      NAME,
      column('Type', 'The type of the secret'),
      column('Data', 'The number of data in the secret', 0, 'integer'),
      AGE,
    ],
    cells: (s, now) => [
      str(s['type']) ?? 'Opaque',
      Object.keys(rec(s['data'])).length + Object.keys(rec(s['stringData'])).length,
      age(s, now),
    ],
  },
  'coordination.k8s.io/leases': {
    columns: [NAME, column('Holder', 'The holder of the lease.'), AGE],
    cells: (l, now) => [str(rec(l['spec'])['holderIdentity']) ?? '', age(l, now)],
  },
};

function nodeStatus(node: KubeObject): string {
  const conditions = arr(rec(node['status'])['conditions']).map(rec);
  const ready = conditions.find((c) => c['type'] === 'Ready');
  const status: string[] = [];
  if (ready) status.push(ready['status'] === 'True' ? 'Ready' : 'NotReady');
  else status.push('Unknown');
  if (rec(node['spec'])['unschedulable'] === true) status.push('SchedulingDisabled');
  return status.join(',');
}

function nodeRoles(node: KubeObject): string {
  const roles = new Set<string>();
  for (const [key, value] of Object.entries(node.metadata.labels ?? {})) {
    if (key.startsWith('node-role.kubernetes.io/') && key.length > 'node-role.kubernetes.io/'.length) {
      roles.add(key.slice('node-role.kubernetes.io/'.length));
    } else if (key === 'kubernetes.io/role' && value) {
      roles.add(value);
    }
  }
  return roles.size ? [...roles].sort().join(',') : '<none>';
}

function hpaTargets(hpa: KubeObject): string {
  const spec = rec(hpa['spec']);
  const current = arr(rec(hpa['status'])['currentMetrics']).map(rec);
  const parts: string[] = [];
  for (const metric of arr(spec['metrics']).map(rec)) {
    if (metric['type'] !== 'Resource') {
      parts.push('<unknown>');
      continue;
    }
    const resource = rec(metric['resource']);
    const name = str(resource['name']) ?? '';
    const target = rec(resource['target']);
    const now = current.map((m) => rec(m['resource'])).find((r) => r['name'] === name);
    const utilization = rec(now?.['current'])['averageUtilization'];
    const shown = typeof utilization === 'number' ? `${utilization}%` : '<unknown>';
    const wanted = target['averageUtilization'];
    parts.push(
      `${name}: ${shown}/${typeof wanted === 'number' ? `${wanted}%` : String(target['averageValue'] ?? '')}`,
    );
  }
  return parts.length ? parts.join(', ') : '<none>';
}

const CLUSTER_PRINTERS: Record<string, Printer> = {
  '/nodes': {
    columns: [
      NAME,
      column('Status', 'The status of the node'),
      column('Roles', 'The roles of the node'),
      AGE,
      column('Version', 'Kubelet Version reported by the node.'),
      column('Internal-IP', 'List of addresses reachable to the node.', 1),
      column('External-IP', 'List of addresses reachable to the node.', 1),
      column('OS-Image', 'OS Image reported by the node from /etc/os-release.', 1),
      column('Kernel-Version', 'Kernel Version reported by the node.', 1),
      column('Container-Runtime', 'Container Runtime Version reported by the node.', 1),
    ],
    cells: (node: KubeObject, now: number) => {
      const status = rec(node['status']);
      const info = rec(status['nodeInfo']);
      const addresses = arr(status['addresses']).map(rec);
      const address = (type: string) =>
        str(addresses.find((a) => a['type'] === type)?.['address']) ?? '<none>';
      return [
        nodeStatus(node),
        nodeRoles(node),
        age(node, now),
        str(info['kubeletVersion']) ?? '',
        address('InternalIP'),
        address('ExternalIP'),
        str(info['osImage']) ?? '<unknown>',
        str(info['kernelVersion']) ?? '<unknown>',
        str(info['containerRuntimeVersion']) ?? '<unknown>',
      ];
    },
  },
  '/events': {
    columns: [
      column('Last Seen', 'Time when this Event was last seen'),
      column('Type', 'Type of this event (Normal, Warning), new types could be added in the future.'),
      column(
        'Reason',
        'This should be a short, machine understandable string that gives the reason for this event being generated.',
      ),
      column('Object', 'The object that this event is about.'),
      column('Message', 'A human-readable description of the status of this operation.'),
    ],
    /** Events print no NAME column: see `nameless` below. */
    cells: (ev: KubeObject, now: number) => {
      const involved = rec(ev['involvedObject']);
      const last = str(ev['lastTimestamp']) ?? str(ev['eventTime']) ?? ev.metadata.creationTimestamp;
      const t = last ? Date.parse(last) : Number.NaN;
      return [
        Number.isNaN(t) ? '<unknown>' : humanDuration(now - t),
        str(ev['type']) ?? '',
        str(ev['reason']) ?? '',
        `${(str(involved['kind']) ?? '').toLowerCase()}/${str(involved['name']) ?? ''}`,
        (str(ev['message']) ?? '').trim(),
      ];
    },
    nameless: true,
  },
  'autoscaling/horizontalpodautoscalers': {
    columns: [
      NAME,
      column('Reference', 'reference to the object that is being scaled.'),
      column('Targets', 'the current and target metric values.'),
      column('MinPods', 'minReplicas is the lower limit for the number of replicas.'),
      column('MaxPods', 'maxReplicas is the upper limit for the number of replicas.', 0, 'integer'),
      column('Replicas', 'current number of replicas of pods managed by this autoscaler.', 0, 'integer'),
      AGE,
    ],
    cells: (hpa: KubeObject, now: number) => {
      const spec = rec(hpa['spec']);
      const ref = rec(spec['scaleTargetRef']);
      return [
        `${str(ref['kind']) ?? ''}/${str(ref['name']) ?? ''}`,
        hpaTargets(hpa),
        spec['minReplicas'] === undefined ? '<unset>' : String(num(spec['minReplicas'])),
        num(spec['maxReplicas']),
        num(rec(hpa['status'])['currentReplicas']),
        age(hpa, now),
      ];
    },
  },
};

const CREATED_AT = column('Created At', 'Time when the role was created.', 0, 'date');

function createdAt(obj: KubeObject): string {
  const at = obj.metadata.creationTimestamp;
  return at ? new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z') : '';
}

const ROLE_PRINTER: Printer = { columns: [NAME, CREATED_AT], cells: (role) => [createdAt(role)] };

/** RoleBinding and ClusterRoleBinding: ROLE, AGE, and (wide) the subjects by kind. */
const BINDING_PRINTER: Printer = {
  columns: [
    NAME,
    column('Role', 'Role'),
    AGE,
    column('Users', 'Users in the roleBinding', 1),
    column('Groups', 'Groups in the roleBinding', 1),
    column('ServiceAccounts', 'ServiceAccounts in the roleBinding', 1),
  ],
  cells: (binding, now) => {
    const ref = rec(binding['roleRef']);
    const subjects = arr(binding['subjects']).map(rec);
    const named = (kind: string) =>
      subjects
        .filter((s) => s['kind'] === kind)
        .map((s) =>
          kind === 'ServiceAccount'
            ? `${str(s['namespace']) ?? ''}/${str(s['name']) ?? ''}`
            : (str(s['name']) ?? ''),
        )
        .join(', ');
    return [
      `${str(ref['kind']) ?? ''}/${str(ref['name']) ?? ''}`,
      age(binding, now),
      named('User'),
      named('Group'),
      named('ServiceAccount'),
    ];
  },
};

const RBAC_PRINTERS: Record<string, Printer> = {
  'rbac.authorization.k8s.io/roles': ROLE_PRINTER,
  'rbac.authorization.k8s.io/clusterroles': ROLE_PRINTER,
  'rbac.authorization.k8s.io/rolebindings': BINDING_PRINTER,
  'rbac.authorization.k8s.io/clusterrolebindings': BINDING_PRINTER,
  '/serviceaccounts': {
    columns: [
      NAME,
      column(
        'Secrets',
        'Secrets is the list of secrets allowed to be used by pods running using this ServiceAccount.',
        0,
        'integer',
      ),
      AGE,
    ],
    cells: (sa, now) => [arr(sa['secrets']).length, age(sa, now)],
  },
};

const PRINTERS: Record<string, Printer> = { ...WORKLOAD_PRINTERS, ...CLUSTER_PRINTERS, ...RBAC_PRINTERS };

const GENERIC: Printer = { columns: [NAME, AGE], cells: (obj, now) => [age(obj, now)] };

function printerFor(spec: KindSpec): Printer {
  return PRINTERS[`${spec.group}/${spec.plural}`] ?? GENERIC;
}

function rowObject(obj: KubeObject, include: IncludeObject): unknown {
  if (include === 'None') return undefined;
  if (include === 'Object') return obj;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

export function toTable(
  spec: KindSpec,
  objects: readonly KubeObject[],
  opts: {
    include?: IncludeObject;
    apiVersion?: string;
    resourceVersion?: string;
    continueToken?: string;
    noHeaders?: boolean;
    now?: number;
  } = {},
): Table {
  const printer = printerFor(spec);
  const now = opts.now ?? Date.now();
  const include = opts.include ?? 'Metadata';
  const metadata: Table['metadata'] = {};
  if (opts.resourceVersion !== undefined) metadata.resourceVersion = opts.resourceVersion;
  if (opts.continueToken) metadata.continue = opts.continueToken;
  return {
    kind: 'Table',
    apiVersion: opts.apiVersion ?? 'meta.k8s.io/v1',
    metadata,
    columnDefinitions: opts.noHeaders ? [] : printer.columns,
    rows: objects.map((obj) => {
      const cells = printer.cells(obj, now);
      const row: TableRow = { cells: printer.nameless ? cells : [obj.metadata.name, ...cells] };
      const object = rowObject(obj, include);
      if (object !== undefined) row.object = object;
      return row;
    }),
  };
}
