import { makeAttachment, type StepResult } from '../../domain/step-result.js';
import type { TapData } from '../../steps/tap/tap-types.js';

/**
 * The tap step's full sample as files on the result (Slack uploads them into the thread): the
 * summary fits a message, the sample does not.
 * - `tap-TARGET.json`: every request, joined from its events;
 * - `tap-TARGET.events.jsonl`: the raw TapEvents, one JSON object per line, as
 *   `linkerd viz tap -o json` prints each (docs/tap.md), for `jq` and for comparing with the
 *   linkerd CLI.
 * A result without data (viz missing) gets none; an empty sample gets none.
 */
export function attachTapFiles(result: StepResult): void {
  const data = result.data as TapData | null;
  if (!data) return;
  const name = result.target.replace(/[^a-z0-9.-]+/gi, '-');
  const files = [];
  if (Array.isArray(data.requests) && data.requests.length > 0) {
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
    files.push(
      makeAttachment({
        filename: `tap-${name}.json`,
        contentType: 'application/json',
        data: Buffer.from(`${JSON.stringify(body, null, 2)}\n`, 'utf8'),
        title: `Every request tapped from ${result.target} (${data.requests.length})`,
      }),
    );
  }
  if (Array.isArray(data.events) && data.events.length > 0) {
    const dropped = data.eventsDropped > 0 ? `; ${data.eventsDropped} more past the bound not kept` : '';
    files.push(
      makeAttachment({
        filename: `tap-${name}.events.jsonl`,
        contentType: 'application/x-ndjson',
        data: Buffer.from(data.events.map((e) => `${JSON.stringify(e)}\n`).join(''), 'utf8'),
        title: `Raw tap events of ${result.target}, one per line as linkerd viz tap -o json prints them (${data.events.length}${dropped})`,
      }),
    );
  }
  if (files.length) result.attachments = [...(result.attachments ?? []), ...files];
}
