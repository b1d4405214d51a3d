/**
 * The scenario file format (YAML), validated with zod. See docs/sandbox.md for a guide.
 * Every message starts with "expected", so errors read
 * `deployments[2].replicas: expected a whole number >= 0, got "three"`.
 */
import * as z from 'zod';
import { faultSchema } from './fault-schema.js';
import { tapRequestShape, trafficSchema } from '../proxy-metrics/traffic-schema.js';
import { identitySchema } from './identity-schema.js';
import { grpcRouteSchema, httpRouteSchema, serviceProfileSchema } from './route-schema.js';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const PORT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const whole = (min = 0, max?: number) => {
  const msg =
    max === undefined ? `expected a whole number >= ${min}` : `expected a whole number from ${min} to ${max}`;
  const n = z.number({ error: msg }).int({ error: msg }).min(min, { error: msg });
  return max === undefined ? n : n.max(max, { error: msg });
};
const bool = () => z.boolean({ error: 'expected true or false' });
const text = (what = 'a string') => z.string({ error: `expected ${what}` });
const dnsName = (what: string, re = DNS_LABEL) =>
  z
    .string({ error: `expected ${what} (lowercase letters, digits and '-')` })
    .max(63, { error: `expected ${what} of at most 63 characters` })
    .regex(re, {
      error: `expected ${what} (lowercase letters, digits and '-', starting and ending with a letter or digit)`,
    });
const labelMap = z.record(text('a label name'), text('a string value (quote numbers and booleans)'), {
  error: 'expected a map of names to string values',
});
const portNumber = whole(1, 65535);
const portName = z
  .string({ error: 'expected a port name' })
  .max(15, { error: 'expected a port name of at most 15 characters' })
  .regex(PORT_NAME, { error: "expected a port name (lowercase letters, digits and '-')" });
const protocol = z.enum(['TCP', 'UDP', 'SCTP'], { error: 'expected TCP, UDP or SCTP' });

export const crashLoopSchema = z.union(
  [
    bool(),
    z.strictObject({
      /** Milliseconds between restarts (default 10000). */
      intervalMs: whole(1).optional(),
      /** restartCount at start (default 0). */
      initialRestarts: whole().optional(),
    }),
  ],
  { error: 'expected true, false or a map with intervalMs / initialRestarts' },
);

const containerPortSchema = z.strictObject({
  name: portName.optional(),
  port: portNumber,
  protocol: protocol.optional(),
});

/** How a workload's pods behave: fields shared by deployments, statefulsets and control-plane components. */
const podBehaviour = {
  replicas: whole().default(1),
  /** Milliseconds from Running to Ready (default: the scenario's podReadyDelayMs). */
  readyDelayMs: whole().optional(),
  /** The pods run but never pass their readiness probe. */
  neverReady: bool().default(false),
  /** The main container crash-loops. */
  crashLoop: crashLoopSchema.default(false),
  /** restartCount the main container starts with. */
  restarts: whole().optional(),
  /** Why the main container last terminated, e.g. OOMKilled (with `restarts`, a pod that was OOM-killed). */
  lastTermination: z
    .enum(['OOMKilled', 'Error', 'Completed'], { error: 'expected OOMKilled, Error or Completed' })
    .optional(),
  /** Proxy version of meshed pods (default: the control plane's). */
  proxyVersion: text('a proxy version such as stable-2.14.10').optional(),
};

const workloadFields = {
  name: dnsName('a name'),
  namespace: dnsName('a namespace name'),
  ...podBehaviour,
  /** Pod labels, also the selector; default `{app: NAME}`. */
  labels: labelMap.optional(),
  /** Pod template annotations. */
  annotations: labelMap.optional(),
  meshed: bool().default(false),
  serviceAccount: dnsName('a service account name').optional(),
  image: text('an image reference').optional(),
  containerPorts: z.array(containerPortSchema, { error: 'expected a list of container ports' }).default([]),
  /** Synthetic inbound traffic the meshed pods' proxies report: { rps, successRate, latencyMs: {p50, p99} }. */
  traffic: trafficSchema.optional(),
};

export const deploymentSchema = z.strictObject(workloadFields);

export const statefulSetSchema = z.strictObject({
  ...workloadFields,
  /** The governing (usually headless) service; default: the statefulset's name. */
  serviceName: dnsName('a service name', DNS_1035).optional(),
  podManagementPolicy: z
    .enum(['OrderedReady', 'Parallel'], { error: 'expected OrderedReady or Parallel' })
    .default('OrderedReady'),
});

export const servicePortSchema = z.strictObject({
  name: portName.optional(),
  port: portNumber,
  targetPort: z
    .union([portNumber, portName], { error: 'expected a port number or a container port name' })
    .optional(),
  protocol: protocol.optional(),
  appProtocol: text().optional(),
});

export const serviceSchema = z.strictObject({
  name: dnsName('a service name', DNS_1035),
  namespace: dnsName('a namespace name'),
  type: z
    .enum(['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'], {
      error: 'expected ClusterIP, NodePort, LoadBalancer or ExternalName',
    })
    .default('ClusterIP'),
  externalName: text('a DNS name').optional(),
  /** clusterIP None. */
  headless: bool().default(false),
  /** Absent: a selector-less service (no endpoints are managed for it). */
  selector: labelMap.optional(),
  ports: z.array(servicePortSchema, { error: 'expected a list of ports' }).default([]),
  labels: labelMap.optional(),
  publishNotReadyAddresses: bool().optional(),
  /** As Kubernetes: absent = SingleStack (the cluster's first family). */
  ipFamilyPolicy: z
    .enum(['SingleStack', 'PreferDualStack', 'RequireDualStack'], {
      error: 'expected SingleStack, PreferDualStack or RequireDualStack',
    })
    .optional(),
});

export const hpaSchema = z.strictObject({
  name: dnsName('a name'),
  namespace: dnsName('a namespace name'),
  target: z.strictObject(
    {
      kind: z.enum(['Deployment', 'StatefulSet'], { error: 'expected Deployment or StatefulSet' }),
      name: dnsName('a workload name'),
    },
    { error: 'expected a map with kind and name' },
  ),
  minReplicas: whole(1).default(1),
  maxReplicas: whole(1),
  targetCPUUtilizationPercentage: whole(1, 100).default(80),
});

const pemSchema = text('a PEM block').regex(/-----BEGIN [A-Z ]+-----/, {
  error: 'expected a PEM block (-----BEGIN ...-----)',
});

export const controlPlaneComponentSchema = z.strictObject(podBehaviour);

export const LINKERD_CRDS = [
  'serviceprofiles.linkerd.io',
  'servers.policy.linkerd.io',
  'serverauthorizations.policy.linkerd.io',
  'authorizationpolicies.policy.linkerd.io',
  'meshtlsauthentications.policy.linkerd.io',
  'networkauthentications.policy.linkerd.io',
  'httproutes.policy.linkerd.io',
  // linkerd-crds also installs the Gateway API's HTTPRoute (unless told not to).
  'httproutes.gateway.networking.k8s.io',
  // The Gateway API's GRPCRoute: linkerd-crds installs it from edge-24.5.2 (not stable-2.14,
  // the sandbox's default version), or the Gateway API's own install does. Not in the default
  // set: a scenario lists it in `crds` to serve GRPCRoutes.
  'grpcroutes.gateway.networking.k8s.io',
] as const;

/** The CRDs installed when a scenario lists none: linkerd-crds of stable-2.14 (without GRPCRoute). */
export const DEFAULT_LINKERD_CRDS: ReadonlyArray<(typeof LINKERD_CRDS)[number]> = LINKERD_CRDS.filter(
  (name) => name !== 'grpcroutes.gateway.networking.k8s.io',
);

export const linkerdSchema = z.strictObject({
  namespace: dnsName('a namespace name').default('linkerd'),
  version: text('a Linkerd version such as stable-2.14.10 or edge-24.5.1')
    .regex(/^(stable|edge|enterprise)-\d+\.\d+(\.\d+)?$/, {
      error: 'expected a Linkerd version such as stable-2.14.10 or edge-24.5.1',
    })
    .default('stable-2.14.10'),
  clusterDomain: text('a DNS domain').default('cluster.local'),
  /** ConfigMap linkerd-identity-trust-roots, key ca-bundle.crt. */
  trustAnchorsPem: pemSchema.optional(),
  /** Secret linkerd-identity-issuer (kubernetes.io/tls). */
  issuer: z.strictObject({ certPem: pemSchema, keyPem: pemSchema }).optional(),
  /**
   * Certificates generated when the sandbox starts (trust anchor, issuer, webhook), described
   * by their life; wins over the PEM fields. See identity-schema.ts.
   */
  identity: identitySchema.optional(),
  /** Certificate of the webhooks (proxy injector, validators) and its CA bundle. */
  webhook: z
    .strictObject({ certPem: pemSchema, keyPem: pemSchema, caBundlePem: pemSchema.optional() })
    .optional(),
  /** The CRDs installed (default DEFAULT_LINKERD_CRDS); list fewer to simulate a missing one. */
  crds: z.array(z.enum(LINKERD_CRDS, { error: `expected one of: ${LINKERD_CRDS.join(', ')}` })).optional(),
  /** Overrides of the control-plane deployments' pods. */
  components: z
    .strictObject({
      destination: controlPlaneComponentSchema.optional(),
      identity: controlPlaneComponentSchema.optional(),
      proxyInjector: controlPlaneComponentSchema.optional(),
    })
    .default({}),
});

/**
 * One edge of the traffic model: the meshed pods of workload `from` (in `namespace`) call the
 * service `to` (`NAME`, or `NAME.NAMESPACE` in another namespace) on `port` (default: its first).
 */
export const trafficEdgeSchema = z.strictObject(
  {
    from: dnsName('a workload name (a deployment or statefulset of this scenario)'),
    namespace: dnsName('a namespace name'),
    to: z
      .string({ error: 'expected a service: NAME or NAME.NAMESPACE' })
      .regex(/^[a-z]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)?$/, {
        error: 'expected a service: NAME or NAME.NAMESPACE',
      }),
    port: portNumber.optional(),
    /** A route the requests match: a ServiceProfile route (`rt_route`), or an HTTPRoute or GRPCRoute of the service. */
    route: text('a route name').min(1, { error: 'expected a route name' }).optional(),
    ...tapRequestShape,
    ...trafficSchema.shape,
  },
  {
    error:
      'expected a map with from, namespace, to, and rps, successRate, latencyMs: {p50, p99} (port, route, path, method, protocol optional)',
  },
);

/** The living mesh's knobs: the destination's send capacity, reconnects, pod churn. */
export const meshSchema = z.strictObject(
  {
    /**
     * Updates per second the destination controller gets out to the meshed clients' streams,
     * all together (a busy controller); absent: no limit. Queues past 100 overflow.
     */
    destinationMessagesPerSecond: z
      .number({ error: 'expected a number of messages per second' })
      .positive({ error: 'expected a number of messages per second above 0' })
      .optional(),
    /** Delay before a client opens an ended stream again, ms (default 500). */
    reconnectMs: whole().default(500),
    /** Pods deleted (and replaced by their controller) per minute, per workload. */
    churn: z
      .array(
        z.strictObject({
          workload: dnsName('a workload name (a deployment or statefulset of this scenario)'),
          namespace: dnsName('a namespace name'),
          podsPerMinute: z
            .number({ error: 'expected podsPerMinute, a number' })
            .positive({ error: 'expected podsPerMinute above 0' })
            .max(60_000, { error: 'expected podsPerMinute of at most 60000' }),
        }),
        { error: 'expected a list of { workload, namespace, podsPerMinute }' },
      )
      .default([]),
  },
  { error: 'expected a map with destinationMessagesPerSecond, reconnectMs, churn' },
);

/** The cluster's IP families: pods' addresses, services' ipFamilies, EndpointSlices per family. */
export const networkSchema = z.strictObject(
  {
    ipFamilies: z
      .enum(['IPv4', 'IPv6', 'dual-stack'], { error: 'expected ipFamilies: IPv4, IPv6 or dual-stack' })
      .default('IPv4'),
  },
  { error: 'expected a map with ipFamilies: IPv4, IPv6 or dual-stack' },
);

/** How the sandbox's destination controller answers: like today's linkerd2, or like older ones. */
export const destinationSchema = z.strictObject(
  {
    compat: z
      .enum(['current', 'legacy'], {
        error: "expected compat: current (today's linkerd2) or legacy (no_endpoints messages)",
      })
      .default('current'),
  },
  { error: 'expected a map with compat: current or legacy' },
);

/**
 * linkerd-viz, with a scenario's Linkerd: installed (its tap APIService registered), and whether
 * tap serves (`down`: the APIService answers 503, as when the tap pods are not ready).
 */
export const vizSchema = z.strictObject(
  {
    installed: z.boolean({ error: 'expected installed: true or false' }).default(true),
    tap: z.enum(['serving', 'down'], { error: 'expected tap: serving or down' }).default('serving'),
  },
  { error: 'expected a map with installed (true or false) and tap (serving or down)' },
);

export const accessRuleSchema = z.strictObject({
  verb: z.enum(['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection', '*'], {
    error: 'expected a verb: get, list, watch, create, update, patch, delete, deletecollection or *',
  }),
  resource: text('a resource such as endpointslices, pods/portforward or *').min(1, {
    error: 'expected a resource such as endpointslices, pods/portforward or *',
  }),
  group: text('an API group (empty for the core group)').optional(),
  namespace: dnsName('a namespace name').optional(),
  user: text('a user name').optional(),
});

export const namespaceSchema = z.union(
  [
    dnsName('a namespace name'),
    z.strictObject({
      name: dnsName('a namespace name'),
      labels: labelMap.optional(),
      annotations: labelMap.optional(),
    }),
  ],
  { error: 'expected a namespace name or a map with name, labels, annotations' },
);

/** Any Kubernetes object, created as is (after the scenario's own objects). */
export const rawObjectSchema = z.looseObject({
  apiVersion: text('an apiVersion'),
  kind: text('a kind'),
  metadata: z.looseObject({ name: text('a name') }, { error: 'expected a metadata map with a name' }),
});

export const scenarioSchema = z.strictObject({
  name: text('a scenario name').min(1, { error: 'expected a scenario name' }),
  description: text().optional(),
  /** Namespaces to create (those that objects use are created anyway). */
  namespaces: z.array(namespaceSchema, { error: 'expected a list of namespaces' }).default([]),
  /** Default readiness delay of every pod (ms); startSandbox may override it. Default 0. */
  podReadyDelayMs: whole().optional(),
  /** Delay from Terminating to removal of pods (ms). Default 1000. */
  terminationDelayMs: whole().optional(),
  linkerd: linkerdSchema.optional(),
  deployments: z.array(deploymentSchema, { error: 'expected a list of deployments' }).default([]),
  statefulsets: z.array(statefulSetSchema, { error: 'expected a list of statefulsets' }).default([]),
  services: z.array(serviceSchema, { error: 'expected a list of services' }).default([]),
  hpas: z.array(hpaSchema, { error: 'expected a list of hpas' }).default([]),
  objects: z.array(rawObjectSchema, { error: 'expected a list of Kubernetes objects' }).default([]),
  faults: z.array(faultSchema, { error: 'expected a list of faults' }).default([]),
  /** Keep the faults when the destination pods are replaced (a restart that does not help). Default false. */
  keepFaultsOnRestart: z.boolean({ error: 'expected true or false' }).default(false),
  accessRules: z.array(accessRuleSchema, { error: 'expected a list of access rules' }).default([]),
  /** Who calls whom: the one source of the proxies' metrics and the meshed clients' subscriptions. */
  traffic: z.array(trafficEdgeSchema, { error: 'expected a list of traffic edges' }).default([]),
  /** ServiceProfiles (linkerd.io/v1alpha2) and their routes. */
  serviceProfiles: z
    .array(serviceProfileSchema, { error: 'expected a list of service profiles' })
    .default([]),
  /** HTTPRoutes whose parent is a Service (gateway.networking.k8s.io/v1 or policy.linkerd.io/v1beta3). */
  httpRoutes: z.array(httpRouteSchema, { error: 'expected a list of HTTPRoutes' }).default([]),
  /** GRPCRoutes whose parent is a Service (gateway.networking.k8s.io/v1). */
  grpcRoutes: z.array(grpcRouteSchema, { error: 'expected a list of GRPCRoutes' }).default([]),
  mesh: meshSchema.default({ reconnectMs: 500, churn: [] }),
  destination: destinationSchema.default({ compat: 'current' }),
  network: networkSchema.default({ ipFamilies: 'IPv4' }),
  viz: vizSchema.default({ installed: true, tap: 'serving' }),
});

export type Scenario = z.infer<typeof scenarioSchema>;
export type ScenarioDeployment = z.infer<typeof deploymentSchema>;
export type ScenarioStatefulSet = z.infer<typeof statefulSetSchema>;
export type ScenarioService = z.infer<typeof serviceSchema>;
export type ScenarioTrafficEdge = z.infer<typeof trafficEdgeSchema>;
export type ScenarioLinkerd = z.infer<typeof linkerdSchema>;
export type ScenarioPodBehaviour = z.infer<typeof controlPlaneComponentSchema>;
/** What a scenario file may contain before defaults are applied. */
export type ScenarioInput = z.input<typeof scenarioSchema>;
