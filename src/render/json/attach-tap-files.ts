import { makeAttachment, type StepResult } from '../../domain/step-result.js';
import type { TapData } from '../../steps/tap/tap-types.js';

/**
 * The tap step's full request list as a JSON file on the result (Slack uploads it into the
 * thread): the summary fits a message, the sample does not. A result without data (viz
 * missing) or without requests gets none.
 */
export function attachTapRequests(result: StepResult): void {
  const data = result.data as TapData | null;
  if (!data || !Array.isArray(data.requests) || data.requests.length === 0) return;
  const name = result.target.replace(/[^a-z0-9.-]+/gi, '-');
  const body = {
    ...(data.cluster !== undefined ? { cluster: data.cluster } : {}),
    target: result.target,
    startedAt: result.startedAt,
    match: data.match,
    durationSeconds: data.durationSeconds,
    maxRequests: data.maxRequests,
    ended: data.ended,
    requests: data.requests,
  };
  result.attachments = [
    ...(result.attachments ?? []),
    makeAttachment({
      filename: `tap-${name}.json`,
      contentType: 'application/json',
      data: Buffer.from(`${JSON.stringify(body, null, 2)}\n`, 'utf8'),
      title: `Every request tapped from ${result.target} (${data.requests.length})`,
    }),
  ];
}
