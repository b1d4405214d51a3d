/**
 * The scale test's shapes: its settings, the stages it times, the events it reports while it
 * runs, and the `data` of its StepResult (documented in docs/scale-test.md).
 */
import type { ScalableKind } from '../../adapters/kube/workload-scaling.js';

export const STAGES = [
  'pod-created',
  'pod-ready',
  'slice-added',
  'destination-added',
  'metric-moved',
  'pod-terminating',
  'slice-removed',
  'destination-removed',
] as const;

export type StageName = (typeof STAGES)[number];

export type Direction = 'up' | 'down';

export const STAGE_DIRECTION: Record<StageName, Direction> = {
  'pod-created': 'up',
  'pod-ready': 'up',
  'slice-added': 'up',
  'destination-added': 'up',
  'metric-moved': 'up',
  'pod-terminating': 'down',
  'slice-removed': 'down',
  'destination-removed': 'down',
};

/** What a stage waits for, in words, e.g. "the destination sends the address (add)". */
export const STAGE_LABEL: Record<StageName, string> = {
  'pod-created': 'pod created',
  'pod-ready': 'pod ready',
  'slice-added': 'address ready in the EndpointSlice',
  'destination-added': "address in the destination's add",
  'metric-moved': 'endpoints_updates moved',
  'pod-terminating': 'pod terminating',
  'slice-removed': 'address gone from the EndpointSlice',
  'destination-removed': "address in the destination's remove",
};

export interface ScaleTestSettings {
  /** Refuse when replicas would pass this. Default 20. */
  maxReplicas: number;
  /** Each stage's limit, from the stage it follows. Default 30 s. */
  stageTimeoutMs: number;
  /** The whole test's limit, scaling back included. Default 120 s. */
  overallTimeoutMs: number;
  /** Namespaces the test may change; `*` (default) allows all. */
  namespaces: string[];
  /** An annotation older than this belongs to a test that no longer runs. Default: 2 x overall. */
  staleAfterMs?: number;
  /** Period of the bounded poll of Prometheus for endpoints_updates. Default 1 s. */
  metricPollMs?: number;
}

export const DEFAULT_SCALE_TEST_SETTINGS: ScaleTestSettings = {
  maxReplicas: 20,
  stageTimeoutMs: 30_000,
  overallTimeoutMs: 120_000,
  namespaces: ['*'],
};

export interface ScaleTestWorkload {
  kind: ScalableKind;
  name: string;
  namespace: string;
}

/** What the test will do, before it does it: what confirmations show. */
export interface ScaleTestPlan {
  workload: ScaleTestWorkload;
  /** `deploy/web.emojivoto` */
  workloadText: string;
  /** Services whose destination streams are watched (`web-svc.emojivoto`). */
  services: string[];
  /** Authorities the destination is asked for. */
  authorities: string[];
  fromReplicas: number;
  toReplicas: number;
  /** The longest the test may take, ms (the overall limit). */
  longestMs: number;
  stageTimeoutMs: number;
}

export type StageOutcome = 'done' | 'timeout' | 'skipped' | 'pending';

export interface StageTiming {
  stage: StageName;
  label: string;
  direction: Direction;
  outcome: StageOutcome;
  /** Time from the scale request of its direction, ms. */
  atMs?: number;
  /** Time from the stage it follows, ms. */
  tookMs?: number;
  limitMs: number;
  /** The pod or address the stage is about. */
  subject?: string;
  note?: string;
}

/** Reported while the test runs; front ends print a line or update a message. */
export type ScaleTestEvent =
  | { type: 'plan'; plan: ScaleTestPlan }
  | { type: 'watching'; streams: number }
  | { type: 'scaled'; direction: Direction; replicas: number; atMs: number }
  | { type: 'stage'; timing: StageTiming }
  | { type: 'restored'; replicas: number; attempts: number }
  | { type: 'note'; text: string };

export type ScaleTestProgress = (event: ScaleTestEvent) => void;

export interface ScaleTestRecord {
  /** The test's id, also in the annotation. */
  testId: string;
  requestedBy: string;
  startedAt: string;
}

/** `data` of the scale test's StepResult. */
export interface ScaleTestData {
  testId: string;
  requestedBy: string;
  plan?: ScaleTestPlan;
  stages: StageTiming[];
  /** The IP of the pod added (up) and the pod removed (down). */
  addedIp?: string;
  removedIp?: string;
  addedPod?: string;
  removedPod?: string;
  /** Whether the original replicas were put back, and how many writes it took. */
  restored: boolean;
  restoreAttempts: number;
  /** How the run ended: finished, a timeout of the whole test, a cancel, or an error. */
  ending: 'finished' | 'overall-timeout' | 'cancelled' | 'error' | 'refused';
  endpointsUpdates?: { before: number; after?: number };
  /** Refusal reason, when refused. */
  refusal?: string;
}
