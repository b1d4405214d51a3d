import type { Logger } from 'pino';

/**
 * One structured line per command and per click: who, where, what, and the result.
 * Lines carry `audit: true` so a log pipeline can route them apart.
 */
export interface AuditEntry {
  kind: 'command' | 'click';
  /** Slack user id. */
  user: string;
  userName?: string;
  channel: string;
  channelName?: string;
  team?: string;
  /** The command text in meshbot's grammar (for clicks, the button's command). */
  command: string;
  /** For clicks: the action id. */
  action?: string;
  outcome: 'ran' | 'refused' | 'usage-error' | 'rate-limited' | 'help' | 'not-in-channel' | 'failed';
  /** The step's status when it ran. */
  status?: string;
  summary?: string;
  reason?: string;
  /** Thread of the run (parent ts), when one was posted. */
  thread?: string;
  durationMs?: number;
}

export interface AuditLog {
  record(entry: AuditEntry): void;
}

export function createAuditLog(logger: Logger): AuditLog {
  const audit = logger.child({ audit: true });
  return {
    record(entry) {
      audit.info({ ...entry }, `${entry.kind} ${entry.outcome}: ${entry.command}`);
    },
  };
}
