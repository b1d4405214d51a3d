/**
 * The durable state of scheduled reports: open alerts per report (with their Slack messages),
 * snoozes, and which scheduled run started and finished, in one ConfigMap in meshbot's namespace.
 * Every write is a read-modify-write with the resourceVersion read as precondition (a conflict
 * reads again and retries), and carries the writer's fencing token (the Lease's
 * leaseTransitions): a leader whose term has passed cannot overwrite its successor's state.
 * A ConfigMap that is not meshbot's, or whose content does not parse, is reported and replaced,
 * never a crash.
 */
import * as z from 'zod';
import type { ConfigMapClient, StoredConfigMap } from '../adapters/kube/config-map-client.js';
import { MeshbotError } from '../errors.js';

export const STATE_KEY = 'state.json';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'meshbot';

const severity = z.enum(['info', 'warn', 'fail', 'error']);
const openAlertSchema = z.object({
  fingerprint: z.string(),
  cluster: z.string(),
  kind: z.string(),
  subject: z.string(),
  severity,
  message: z.string(),
  source: z.enum(['endpoints', 'control-plane', 'sweep']),
  addresses: z.array(z.string()).optional(),
  firstSeen: z.string(),
  lastSeen: z.string(),
  lastNotified: z.string().optional(),
  post: z.object({ channel: z.string(), ts: z.string(), threadTs: z.string().optional() }).optional(),
});
const snoozeSchema = z.object({ fingerprint: z.string(), until: z.string(), by: z.string(), at: z.string() });
const runMarkSchema = z.object({ slot: z.string(), at: z.string(), by: z.string() });
/** A run's channel message: its line per finding, so a resolved line can be rewritten in place. */
const runMessageSchema = z.object({
  channel: z.string(),
  header: z.string(),
  lines: z.array(z.object({ fingerprint: z.string(), text: z.string(), resolved: z.string().optional() })),
});
/**
 * What a run is about to tell its channel, written before the first message (the intent): each
 * message carries `run` as a marker (Slack message metadata), so a leader that finds an intent
 * left behind asks the channel what of it was posted instead of posting it again.
 */
const postingSchema = z.object({
  run: z.string(),
  slot: z.string(),
  at: z.string(),
  by: z.string(),
  channel: z.string(),
  /** The run message to post, with its new and worse alerts. */
  message: runMessageSchema.optional(),
  post: z.array(openAlertSchema).default([]),
  /** Fingerprints to remind of, and to resolve. */
  remind: z.array(z.string()).default([]),
  resolve: z.array(z.string()).default([]),
  /** The run message's ts, recorded as soon as Slack answered. */
  ts: z.string().optional(),
});
const reportStateSchema = z.object({
  open: z.record(z.string(), openAlertSchema),
  /** Run messages by ts, while one of their findings is open. */
  messages: z.record(z.string(), runMessageSchema).default({}),
  /** The scheduled run (its slot: the cron time it was due) being run, by whom. */
  started: runMarkSchema.optional(),
  finished: runMarkSchema.optional(),
  /** A run's notifications in flight (cleared with the run's final write). */
  posting: postingSchema.optional(),
});
export const stateSchema = z.object({
  version: z.literal(1),
  /** leaseTransitions of the leader that wrote last. */
  fence: z.number().int().nonnegative(),
  reports: z.record(z.string(), reportStateSchema),
  snoozes: z.record(z.string(), snoozeSchema),
});

export type ReportsState = z.infer<typeof stateSchema>;
export type ReportState = z.infer<typeof reportStateSchema>;
export type RunMark = z.infer<typeof runMarkSchema>;
export type RunMessage = z.infer<typeof runMessageSchema>;
export type PostingIntent = z.infer<typeof postingSchema>;

export const emptyState = (): ReportsState => ({ version: 1, fence: 0, reports: {}, snoozes: {} });
export const emptyReportState = (): ReportState => ({ open: {}, messages: {} });

/** Why a stored ConfigMap was not used, when it was not. */
export function readState(cm: StoredConfigMap): { state: ReportsState; problem?: string } {
  if (cm.labels[MANAGED_BY_LABEL] !== MANAGED_BY) {
    return {
      state: emptyState(),
      problem: `ConfigMap ${cm.namespace}/${cm.name} is not meshbot's (label ${MANAGED_BY_LABEL}=${MANAGED_BY} missing): it is replaced by meshbot's report state`,
    };
  }
  const raw = cm.data[STATE_KEY];
  if (raw === undefined) return { state: emptyState() };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    return {
      state: emptyState(),
      problem: `ConfigMap ${cm.namespace}/${cm.name} key ${STATE_KEY} is not JSON (${err instanceof Error ? err.message : String(err)}): the report state starts afresh`,
    };
  }
  const parsed = stateSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      state: emptyState(),
      problem: `ConfigMap ${cm.namespace}/${cm.name} key ${STATE_KEY} is not meshbot's report state (${issue?.message ?? 'invalid'} at ${issue?.path.join('.') ?? '?'}): the report state starts afresh`,
    };
  }
  return { state: parsed.data };
}

export interface ReportStateStore {
  /** The current state (empty when absent or unusable; `onProblem` says why when unusable). */
  read(): Promise<ReportsState>;
  /**
   * Applies `change` to a fresh read and writes it with the read's resourceVersion, retrying on
   * conflict. `fence`: the writer's leaseTransitions; refused (MeshbotError `conflict`) when the
   * stored state was written by a later leader.
   */
  update(change: (state: ReportsState) => ReportsState, fence?: number): Promise<ReportsState>;
}

export interface ReportStateStoreOptions {
  configMaps: ConfigMapClient;
  namespace: string;
  /** Default `meshbot-report-state`. */
  name?: string;
  /** A stored ConfigMap that is foreign or corrupted (logged and counted by the caller). */
  onProblem?: (problem: string) => void;
  /** Attempts on conflict; default 5. */
  attempts?: number;
}

export const DEFAULT_STATE_CONFIGMAP = 'meshbot-report-state';

export function createReportStateStore(options: ReportStateStoreOptions): ReportStateStore {
  const { configMaps, namespace } = options;
  const name = options.name ?? DEFAULT_STATE_CONFIGMAP;
  const attempts = options.attempts ?? 5;

  const load = async (): Promise<{ cm?: StoredConfigMap; state: ReportsState }> => {
    const cm = await configMaps.get(namespace, name);
    if (!cm) return { state: emptyState() };
    const { state, problem } = readState(cm);
    if (problem) options.onProblem?.(problem);
    return { cm, state };
  };

  return {
    read: async () => (await load()).state,
    async update(change, fence) {
      let lastConflict: unknown;
      for (let i = 0; i < attempts; i++) {
        const { cm, state } = await load();
        if (fence !== undefined && state.fence > fence) {
          throw new MeshbotError(
            'conflict',
            `the report state was written by a later leader (term ${state.fence}, this replica's ${fence})`,
            'This replica no longer leads; it leaves the schedules to the current leader.',
          );
        }
        const next = change(structuredClone(state));
        if (fence !== undefined) next.fence = Math.max(next.fence, fence);
        const content = {
          labels: { ...(cm?.labels ?? {}), [MANAGED_BY_LABEL]: MANAGED_BY },
          annotations: cm?.annotations ?? {},
          data: { [STATE_KEY]: JSON.stringify(next) },
        };
        try {
          if (cm) await configMaps.replace(namespace, name, content, cm.resourceVersion);
          else await configMaps.create(namespace, name, content);
          return next;
        } catch (err) {
          if (!(err instanceof MeshbotError && err.kind === 'conflict')) throw err;
          lastConflict = err;
        }
      }
      throw lastConflict instanceof Error
        ? lastConflict
        : new MeshbotError('conflict', `could not write ConfigMap ${namespace}/${name}`);
    },
  };
}
