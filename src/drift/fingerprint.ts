/**
 * A finding's stable identity across runs, replicas and restarts: a hash of the cluster, the
 * kind of finding and its subject. Alert state, snoozes and Slack threads are keyed by it.
 */
import { createHash } from 'node:crypto';

/** 16 hex digits of SHA-256 over `cluster`, `kind` and `subject`, separated by NUL. */
export function fingerprintOf(cluster: string, kind: string, subject: string): string {
  return createHash('sha256').update(`${cluster}\0${kind}\0${subject}`).digest('hex').slice(0, 16);
}
