/**
 * The typed detail of the endpoints step (`StepResult<EndpointsData>.data`), documented in
 * docs/step-result.md. Plain data: front ends render it, the JSON output prints it as is.
 */
import type {
  ProtocolHint,
  UpdateLogEntry,
  ViewCompletion,
} from '../../adapters/destination/destination-client.js';
import type { ErrorKind } from '../../errors.js';

/** One address of a port as Kubernetes lists it (EndpointSlice or v1 Endpoints). */
export interface KubernetesEndpointRow {
  /** `IP:PORT`. */
  address: string;
  ip: string;
  port: number;
  pod?: string;
  node?: string;
  zone?: string;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
}

/** One address of a port as the destination controller serves it. */
export interface DestinationEndpointRow {
  address: string;
  ip: string;
  port: number;
  /** The `pod` metric label. */
  pod?: string;
  weight?: number;
  protocolHint?: ProtocolHint;
  opaqueTransportPort?: number;
  identity?: string;
  labels: Record<string, string>;
}

/** A pod of the service's selector. */
export interface PodRow {
  name: string;
  phase: string;
  ready: boolean;
  ip?: string;
  node?: string;
  /** deletionTimestamp is set. */
  deleting: boolean;
  owner?: string;
}

/**
 * What the destination said for a port:
 * - `answered`: a set of addresses (possibly empty);
 * - `no-endpoints`: no_endpoints{exists:true}: the service exists and has no endpoints;
 * - `unknown-service`: no_endpoints{exists:false}: the destination does not know the service;
 * - `not-asked`: the service cannot be judged (headless, ExternalName) or was not found;
 * - `unavailable` / `timeout` / `error`: it could not be asked (see `error`).
 */
export type DestinationAnswer =
  'answered' | 'no-endpoints' | 'unknown-service' | 'not-asked' | 'unavailable' | 'timeout' | 'error';

export interface DestinationPortView {
  answer: DestinationAnswer;
  endpoints: DestinationEndpointRow[];
  error?: { kind: ErrorKind; message: string; hint?: string };
  /** How the wait ended, when it answered. */
  completion?: ViewCompletion;
  firstUpdateMs?: number;
  completedMs?: number;
  /** The stream's messages in order, timed from its start. */
  updates: UpdateLogEntry[];
}

export interface PortDiff {
  /** Ready in Kubernetes and served by the destination. */
  matching: string[];
  /** Served by the destination, absent from Kubernetes (or present but not ready). */
  staleInDestination: string[];
  /** Ready in Kubernetes, not served by the destination. */
  missingFromDestination: string[];
  /** Listed by Kubernetes as not ready (terminating or failing readiness). */
  notReady: string[];
}

export interface PortComparison {
  /** Service port. */
  port: number;
  /** Service port name ('' when unnamed). */
  name: string;
  targetPort: number | string;
  protocol: string;
  /** What the destination was asked: `SVC.NS.svc.cluster.local:PORT`. */
  authority: string;
  kubernetes: KubernetesEndpointRow[];
  destination: DestinationPortView;
  diff: PortDiff;
}

export interface EndpointsData {
  service: {
    name: string;
    namespace: string;
    exists: boolean;
    namespaceExists: boolean;
    type?: string;
    clusterIP?: string;
    headless: boolean;
    externalName?: string;
    selector?: Record<string, string>;
    ports: Array<{ name: string; port: number; targetPort: number | string; protocol: string }>;
  };
  /** False for services the comparison cannot judge (headless, ExternalName, absent). */
  judged: boolean;
  /** Where Kubernetes' endpoints came from. */
  kubernetesSource: 'endpointslices' | 'endpoints' | 'none';
  /** How the destination was reached, e.g. `port-forward to linkerd/linkerd-destination-abc:8086`. */
  destinationSource: string;
  ports: PortComparison[];
  pods: PodRow[];
  timings: { kubernetesMs: number; destinationMs: number; totalMs: number };
}
