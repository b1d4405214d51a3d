/**
 * The annotation a running scale test leaves on its workload, so a crash loses nothing: the
 * next start reads it and puts the replicas back. JSON, validated on the way back in.
 */
import { randomUUID } from 'node:crypto';
import * as z from 'zod';

export const SCALE_TEST_ANNOTATION = 'meshbot.io/scale-test';

export const scaleTestAnnotationSchema = z.object({
  v: z.literal(1),
  testId: z.string().min(1).max(64),
  originalReplicas: z.number().int().min(0),
  /** The replicas the test scales to. */
  testReplicas: z.number().int().min(0),
  startedAt: z.string().min(1),
  requestedBy: z.string().min(1).max(200),
  /** The test's own limit, ms: past start + limit (+ margin) the record is stale. */
  overallTimeoutMs: z.number().int().positive().optional(),
  /** Renewed by the running test every `heartbeatMs`: its proof of life. Absent in old records. */
  heartbeatAt: z.string().min(1).optional(),
  /** How often the test renews `heartbeatAt`, ms. */
  heartbeatMs: z.number().int().positive().optional(),
});

export type ScaleTestAnnotation = z.infer<typeof scaleTestAnnotationSchema>;

export function newTestId(): string {
  return randomUUID().slice(0, 8);
}

export function encodeAnnotation(a: ScaleTestAnnotation): string {
  return JSON.stringify(scaleTestAnnotationSchema.parse(a));
}

/** The recorded test, or undefined when the value is not one meshbot wrote. */
export function decodeAnnotation(raw: string | undefined): ScaleTestAnnotation | undefined {
  if (raw === undefined) return undefined;
  try {
    const parsed = scaleTestAnnotationSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** A test that runs past its own limit by this much is dead (its process cannot still restore). */
export const STALE_MARGIN_MS = 30_000;

/** How often a running test renews its heartbeat. */
export const HEARTBEAT_MS = 3000;
/** A heartbeat this many intervals old means the test's process is gone. */
export const HEARTBEAT_MISSED = 3;

/**
 * When a recorded test can no longer be running. Without a heartbeat (records of older
 * meshbots): its start plus its own overall limit and a margin, or plus `fallbackMs` for a
 * record without a limit. With one: three intervals after its last heartbeat (the process that
 * renews it is gone), and never later than the limit rule. NaN for an unreadable time.
 */
export function staleAt(a: ScaleTestAnnotation, fallbackMs: number): number {
  const started = Date.parse(a.startedAt);
  const byLimit =
    started + (a.overallTimeoutMs !== undefined ? a.overallTimeoutMs + STALE_MARGIN_MS : fallbackMs);
  if (a.heartbeatAt === undefined) return byLimit;
  const byHeartbeat = Date.parse(a.heartbeatAt) + HEARTBEAT_MISSED * (a.heartbeatMs ?? HEARTBEAT_MS);
  return a.overallTimeoutMs !== undefined ? Math.min(byHeartbeat, byLimit) : byHeartbeat;
}

/**
 * Whether a recorded test may still be running. An unreadable record or start time counts as
 * fresh (refuse rather than guess).
 */
export function isFresh(a: ScaleTestAnnotation | undefined, now: number, fallbackMs: number): boolean {
  if (!a) return true;
  const at = staleAt(a, fallbackMs);
  if (Number.isNaN(at)) return true;
  return now < at;
}
