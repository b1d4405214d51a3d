/**
 * The typed input and detail of the sweep step (`StepResult<SweepData>`), documented in
 * docs/sweep.md. Every finding carries the cluster it was found in and a stable fingerprint,
 * so alert state (src/drift) can tell new from known across runs and replicas.
 */
import type { Finding } from '../../domain/step-result.js';

export interface SweepRequest {
  /** Cluster name the findings are keyed by (the kubeconfig context, or the configured name). */
  cluster: string;
  /** Namespaces to sweep; empty or absent = every namespace. */
  namespaces?: string[];
  /** Label selector of the services to sweep (Kubernetes syntax). */
  selector?: string;
  /** Destination streams open at once at most; default 32, never above 64. */
  concurrency?: number;
  /** A difference must persist this long, with Kubernetes unchanged, to be reported; default 10 s. 0 = one look. */
  persistenceMs?: number;
  /** Compare services with the destination; default true. */
  endpoints?: boolean;
  /** Control-plane drift checks (certificates, proxy versions, destination readiness); default true. */
  controlPlane?: boolean;
}

export const DEFAULT_SWEEP_CONCURRENCY = 32;
export const MAX_SWEEP_CONCURRENCY = 64;
export const DEFAULT_PERSISTENCE_MS = 10_000;

/** Where a finding comes from. */
export type SweepFindingSource = 'endpoints' | 'control-plane' | 'sweep';

export interface SweepFinding extends Finding {
  /** Stable id: hash of cluster, kind and subject (src/drift/fingerprint.ts). */
  fingerprint: string;
  cluster: string;
  /** The finding code (`stale-in-destination`, `l5d-identity-issuer-not-expiring-soon`, ...). */
  kind: string;
  /** What it is about: `SVC.NS:PORT`, a check id, or what could not be asked. */
  subject: string;
  source: SweepFindingSource;
  /** The addresses concerned, for endpoint drift. */
  addresses?: string[];
  /** For endpoint drift: the service (`SVC.NS`) and port, so a front end can offer `endpoints SVC.NS:PORT`. */
  service?: string;
  port?: number;
}

/** Something the sweep could not ask, and why. */
export interface NotAsked {
  /** `endpointslices in namespace shop`, `destination for 12 services`, `check l5d-identity-issuer-readable`. */
  what: string;
  reason: string;
  hint?: string;
  /** Services not judged because of it. */
  services: number;
}

export interface SweepData {
  cluster: string;
  scope: { namespaces: string[] | 'all'; selector?: string };
  concurrency: number;
  persistenceMs: number;
  services: {
    /** Services in scope Kubernetes listed. */
    listed: number;
    /** Of those, meshed and comparable (ClusterIP with ports). */
    meshed: number;
    /** Compared with the destination on every port. */
    swept: number;
    /** With a confirmed difference. */
    drifted: number;
    /** Differences seen once and gone, or with Kubernetes changing, at the second look. */
    unconfirmed: number;
    /** Could not be compared (Kubernetes or the destination failed). */
    notAsked: number;
  };
  /** Destination streams opened (one per service port and look). */
  streams: number;
  /** Service ports asked again because their stream's connection failed. */
  retried: number;
  notAsked: NotAsked[];
  timings: {
    kubernetesMs: number;
    destinationMs: number;
    confirmMs: number;
    controlPlaneMs: number;
    totalMs: number;
  };
}
