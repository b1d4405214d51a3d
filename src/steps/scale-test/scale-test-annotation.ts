/**
 * The annotation a running scale test leaves on its workload, so a crash loses nothing: the
 * next start reads it and puts the replicas back. JSON, validated on the way back in.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';

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

/**
 * When a recorded test can no longer be running: its start plus its own overall limit and a
 * margin, or plus `fallbackMs` for a record without a limit. NaN for an unreadable start.
 */
export function staleAt(a: ScaleTestAnnotation, fallbackMs: number): number {
  const started = Date.parse(a.startedAt);
  return started + (a.overallTimeoutMs !== undefined ? a.overallTimeoutMs + STALE_MARGIN_MS : fallbackMs);
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
