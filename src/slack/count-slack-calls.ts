/**
 * Slack Web API errors and rate-limit retries, counted where every WebClient request passes:
 * an axios adapter given to Bolt's client options (Bolt builds a WebClient per token; each gets
 * it). It performs the request with axios' own http adapter and reports each answer: `ok: false`
 * with Slack's error code, an HTTP failure, or a 429 (which WebClient waits out, per
 * Retry-After, and retries within its retry config).
 */
import axios, { type AxiosAdapter, type AxiosResponse } from 'axios';
import * as z from 'zod';

export interface SlackCallObserver {
  /** An answer that is not ok: Slack's error code, `http_<status>`, or `request_failed`. */
  error(method: string, code: string): void;
  /** A 429 answer: WebClient waits Retry-After seconds and sends the call again. */
  rateLimited(method: string): void;
}

const answer = z.object({ ok: z.boolean(), error: z.string().optional() }).loose();

/** `chat.postMessage` from `https://slack.com/api/chat.postMessage`. */
export function slackMethodOf(url: string | undefined): string {
  const m = /\/api\/([A-Za-z0-9_.]+)\/?$/.exec((url ?? '').split('?')[0] ?? '');
  return m?.[1] ?? 'unknown';
}

function observe(observer: SlackCallObserver, method: string, res: AxiosResponse): void {
  if (res.status === 429) {
    observer.rateLimited(method);
    return;
  }
  let body: unknown = res.data;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      body = undefined;
    }
  }
  const parsed = answer.safeParse(body);
  if (res.status >= 400)
    observer.error(method, parsed.success && parsed.data.error ? parsed.data.error : `http_${res.status}`);
  else if (parsed.success && !parsed.data.ok) observer.error(method, parsed.data.error ?? 'unknown');
}

export function countingSlackAdapter(observer: SlackCallObserver): AxiosAdapter {
  const http = axios.getAdapter('http');
  return async (config) => {
    const method = slackMethodOf(config.url);
    let res: AxiosResponse;
    try {
      res = await http(config);
    } catch (err) {
      if (axios.isAxiosError(err) && err.response) observe(observer, method, err.response);
      else observer.error(method, 'request_failed');
      throw err;
    }
    observe(observer, method, res);
    return res;
  };
}
