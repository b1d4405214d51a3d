/**
 * Reading requests and writing responses as kube-apiserver does: JSON with `Status` failures,
 * request bodies in JSON or YAML with the server's size limit, and the content negotiation
 * kubectl relies on (server-side Tables).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import YAML from 'yaml';
import { badRequest, StatusError } from './status-error.js';
import type { StatusBody } from './store-types.js';
import type { IncludeObject } from './table-printer.js';

const MAX_BODY_BYTES = 3 * 1024 * 1024;

/** Body formats served (no protobuf); a missing Content-Type is taken as JSON. */
const BODY_MEDIA_TYPES = new Set(['application/json', 'application/yaml', '*/*', '']);

export function writeJson(
  res: ServerResponse,
  code: number,
  body: unknown,
  contentType = 'application/json',
): void {
  const text = JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-cache, private',
  });
  res.end(text);
}

/** Items serialized per write of a streamed list. */
const LIST_CHUNK_BYTES = 256 * 1024;

/**
 * Writes `{...head, "items": [...]}` (the same text as writeJson would) in chunks of a few
 * hundred kilobytes, waiting for the socket to drain, with chunked transfer encoding as the
 * real API server sends large lists: a list of 10,000 pods is never one 30 MB string and its
 * buffer copy. The items must not change while it writes (stored objects never do).
 */
export async function writeJsonList(
  res: ServerResponse,
  head: Record<string, unknown>,
  items: readonly unknown[],
): Promise<void> {
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
  const open = JSON.stringify({ ...head, items: [] });
  let chunk = open.slice(0, -2); // `...,"items":[`
  for (let i = 0; i < items.length; i++) {
    chunk += (i > 0 ? ',' : '') + JSON.stringify(items[i]);
    if (chunk.length >= LIST_CHUNK_BYTES) {
      const more = res.write(chunk);
      chunk = '';
      if (!more) await drained(res);
      if (res.destroyed) return;
    }
  }
  res.end(`${chunk}]}`);
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

export function writeStatus(res: ServerResponse, status: StatusBody): void {
  writeJson(res, status.code, status);
}

export function isTrue(value: string | null): boolean {
  return value === 'true' || value === '1';
}

export function statusFailure(
  code: number,
  reason: string,
  message: string,
  details?: StatusBody['details'],
): StatusError {
  return new StatusError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  });
}

export function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

export function clone<T>(value: T): T {
  return structuredClone(value);
}

/** `application/json;as=Table;v=v1;g=meta.k8s.io` in Accept: the Table apiVersion asked for. */
export function tableVersionAccepted(accept: string | undefined): string | undefined {
  if (!accept) return undefined;
  for (const item of accept.split(',')) {
    const [type, ...params] = item.split(';').map((p) => p.trim());
    if (type !== 'application/json' && type !== '*/*') continue;
    const p = new Map(
      params.map((kv) => {
        const [k = '', v = ''] = kv.split('=');
        return [k.trim(), v.trim()] as const;
      }),
    );
    if (p.get('as') !== 'Table' || p.get('g') !== 'meta.k8s.io') continue;
    const v = p.get('v');
    if (v === 'v1' || v === 'v1beta1') return `meta.k8s.io/${v}`;
  }
  return undefined;
}

export function includeObjectParam(url: URL): IncludeObject {
  const v = url.searchParams.get('includeObject');
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      throw statusFailure(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728');
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? 'application/json').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** A JSON (or YAML) request body; an empty body is undefined. */
export async function parseBody(req: IncomingMessage, expecting: string): Promise<unknown> {
  const buf = await readBody(req);
  const text = buf.toString('utf8');
  if (text.trim() === '') return undefined;
  const type = mediaType(req);
  if (!BODY_MEDIA_TYPES.has(type)) {
    throw statusFailure(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format "${type}" - accepted media types include: application/json, application/yaml`,
    );
  }
  try {
    if (type === 'application/yaml') return YAML.parse(text) as unknown;
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw badRequest(
      `the object provided is unrecognized (must be of type ${expecting}): couldn't get version/kind; ` +
        `json parse error: ${(err as Error).message}`,
    );
  }
}
