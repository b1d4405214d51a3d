/**
 * What a raised proxy log level leaves on its workload while it lasts (annotation
 * `meshbot.io/proxy-log-level`, JSON, validated on the way back in): each pod's original
 * filter, the level set, when it expires, who asked, which meshbot holds it and in which
 * cluster, and a heartbeat. Whoever finds the record with its heartbeat stopped (another
 * replica, the next start) puts every pod back from it, as for the scale test.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import * as z from 'zod';
import { HEARTBEAT_MISSED, HEARTBEAT_MS } from '../scale-test/scale-test-annotation.js';
import type { HeartbeatRecord } from '../scale-test/scale-test-heartbeat.js';

export const LOG_LEVEL_ANNOTATION = 'meshbot.io/proxy-log-level';

export const logLevelRecordSchema = z.object({
  v: z.literal(1),
  id: z.string().min(1).max(64),
  /** The cluster's name in meshbot's pool: only meshbot serving that cluster restores it. */
  cluster: z.string().min(1).max(100),
  level: z.string().min(1).max(512),
  /** Each pod changed, with the filter it had before. */
  pods: z.array(z.object({ pod: z.string().min(1).max(253), original: z.string().max(512) })).max(500),
  requestedBy: z.string().min(1).max(200),
  /** The process that holds it: `host/pid`. */
  holder: z.string().min(1).max(300),
  startedAt: z.string().min(1),
  expiresAt: z.string().min(1),
  heartbeatAt: z.string().min(1),
  heartbeatMs: z.number().int().positive(),
});

export type LogLevelRecord = z.infer<typeof logLevelRecordSchema>;

export function newRecordId(): string {
  return randomUUID().slice(0, 8);
}

/** This process, as records name their holder. */
export function holderIdentity(): string {
  return `${hostname()}/${process.pid}`;
}

export function encodeRecord(r: LogLevelRecord): string {
  return JSON.stringify(logLevelRecordSchema.parse(r));
}

export function decodeRecord(raw: string | undefined): LogLevelRecord | undefined {
  if (raw === undefined) return undefined;
  try {
    const parsed = logLevelRecordSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** How long past its expiry a record's holder may still be putting pods back. */
export const EXPIRY_MARGIN_MS = 60_000;

/**
 * When the record's holder can no longer be running: three heartbeats after its last one, and
 * never later than its expiry plus a margin (a holder that beats but never restores is stuck).
 */
export function staleAt(r: LogLevelRecord): number {
  const byBeat = Date.parse(r.heartbeatAt) + HEARTBEAT_MISSED * r.heartbeatMs;
  const byExpiry = Date.parse(r.expiresAt) + EXPIRY_MARGIN_MS;
  return Math.min(byBeat, byExpiry);
}

/** The heartbeat codec of these records (scale-test-heartbeat.ts renews them). */
export const LOG_LEVEL_HEARTBEAT: HeartbeatRecord = {
  annotation: LOG_LEVEL_ANNOTATION,
  idOf: (raw) => decodeRecord(raw)?.id,
  renew: (raw, at, intervalMs) =>
    encodeRecord({ ...decodeRecord(raw)!, heartbeatAt: at.toISOString(), heartbeatMs: intervalMs }),
};

export { HEARTBEAT_MS };
