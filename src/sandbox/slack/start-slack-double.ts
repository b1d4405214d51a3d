import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { signedHeaders } from './sign-slack-request.js';
import { checkBlocks } from './check-blocks.js';
import type {
  BlockActionInput,
  Delivery,
  DoubleMessage,
  DoubleThread,
  EphemeralAnswer,
  FailOptions,
  RecordedCall,
  SentCommand,
  SlashCommandInput,
} from './slack-double-types.js';

/** Fixed fake credentials: the demo and the tests run without a real token. */
export const DOUBLE_BOT_TOKEN = 'xoxb-meshbot-sandbox-0000';
export const DOUBLE_APP_TOKEN = 'xapp-1-meshbot-sandbox-0000';
export const DOUBLE_SIGNING_SECRET = 'meshbotsandboxsigningsecret0000';

export interface SlackDoubleOptions {
  botToken?: string;
  appToken?: string;
  signingSecret?: string;
  teamId?: string;
  botUserId?: string;
  /** How long the bot has to ack an envelope or answer an HTTP request; Slack allows 3 s. */
  ackTimeoutMs?: number;
  /** Socket Mode server pings, ms; default 10 s. */
  pingIntervalMs?: number;
}

export interface SlackDouble {
  /** Web API base for WebClient's `slackApiUrl` (ends with `/api/`). */
  apiUrl: string;
  botToken: string;
  appToken: string;
  signingSecret: string;
  teamId: string;
  botUserId: string;
  /** Every call, in order. */
  calls: RecordedCall[];
  /** Envelopes or requests the bot did not ack in time. */
  ackTimeouts: string[];
  callsOf(method: string): RecordedCall[];
  /** The next `times` calls of `method` answer with `error` (`ratelimited`: HTTP 429 + Retry-After). */
  failNext(method: string, error: string, opts?: FailOptions): void;
  /** chat.postMessage (and friends) to this channel answer `not_in_channel` until `joinChannel`. */
  leaveChannel(channelId: string): void;
  joinChannel(channelId: string): void;
  setUserGroup(groupId: string, users: string[]): void;
  /** The channel's real name, as conversations.info tells it. */
  setChannelName(channelId: string, name: string): void;
  /** HTTP mode: deliver events to this URL (the bot's `/slack/events`), signed. Without it, Socket Mode. */
  setEventsUrl(url: string | undefined): void;
  /** Resolves once a Socket Mode connection has received `hello`. */
  socketConnected(): Promise<void>;
  sendSlashCommand(input: SlashCommandInput): Promise<SentCommand>;
  sendBlockAction(
    input: BlockActionInput,
  ): Promise<{ triggerId: string; responseUrl: string; delivery: Delivery }>;
  /** POSTs a raw body to the events URL with the given headers (for forged/expired signature tests). */
  postRaw(body: string, headers: Record<string, string>): Promise<{ status: number; body: string }>;
  messages(channel: string): DoubleMessage[];
  thread(channel: string, ts: string): DoubleThread;
  /** The thread of the run started by this trigger, once its parent shows a final status. */
  waitForThread(triggerId: string, timeoutMs?: number): Promise<DoubleThread>;
  /** Ephemeral answers to this trigger's command, once there are at least `count`. */
  waitForEphemeral(triggerId: string, count?: number, timeoutMs?: number): Promise<EphemeralAnswer[]>;
  /** Resolves with `check()`'s first defined value, evaluated after every recorded call. */
  waitFor<T>(check: () => T | undefined, timeoutMs?: number, what?: string): Promise<T>;
  ephemerals(): EphemeralAnswer[];
  /** A name for a user id, used when printing threads. */
  userName(userId: string): string | undefined;
  close(): Promise<void>;
}

const JSON_FIELDS = new Set(['blocks', 'attachments', 'metadata', 'files', 'users', 'channels']);

/**
 * The file's bytes of an upload: the body itself, or the file part of a multipart/form-data
 * body (what WebClient sends for a `file` Buffer); Slack's upload URL takes both.
 */
function uploadedBytes(raw: Buffer, contentType: string | undefined): Buffer {
  const boundary = /^multipart\/form-data;.*boundary="?([^";]+)"?/i.exec(contentType ?? '')?.[1];
  if (!boundary) return raw;
  const delimiter = Buffer.from(`--${boundary}`);
  let at = raw.indexOf(delimiter);
  while (at >= 0) {
    const next = raw.indexOf(delimiter, at + delimiter.length);
    if (next < 0) break;
    const part = raw.subarray(at + delimiter.length, next);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd >= 0 && /filename=/i.test(part.subarray(0, headerEnd).toString('utf8'))) {
      // The part ends with the CRLF that precedes the next delimiter.
      return part.subarray(headerEnd + 4, part.length - 2);
    }
    at = next;
  }
  return raw;
}

function parseParams(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (!raw) return {};
  if (contentType?.includes('application/json')) {
    const v: unknown = JSON.parse(raw);
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    if (JSON_FIELDS.has(k) && /^[[{]/.test(v)) {
      try {
        out[k] = JSON.parse(v);
        continue;
      } catch {
        // keep the string: Slack would answer invalid_arguments, the check below does.
      }
    }
    out[k] = v;
  }
  return out;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/**
 * A local stand-in for Slack: the Web API methods meshbot calls, the upload URL of
 * files.uploadV2, response URLs, a Socket Mode WebSocket server, and an HTTP-mode sender
 * that signs requests as Slack does. It records every call and can fail on request.
 */
export async function startSlackDouble(options: SlackDoubleOptions = {}): Promise<SlackDouble> {
  const botToken = options.botToken ?? DOUBLE_BOT_TOKEN;
  const appToken = options.appToken ?? DOUBLE_APP_TOKEN;
  const signingSecret = options.signingSecret ?? DOUBLE_SIGNING_SECRET;
  const teamId = options.teamId ?? 'T0MESHBOT';
  const botUserId = options.botUserId ?? 'U0MESHBOT';
  const ackTimeoutMs = options.ackTimeoutMs ?? 3000;

  const events = new EventEmitter();
  events.setMaxListeners(0);
  const calls: RecordedCall[] = [];
  const ackTimeouts: string[] = [];
  const failures = new Map<
    string,
    { error: string; left: number; retryAfterSeconds: number; channel?: string }[]
  >();
  const notMember = new Set<string>();
  const userGroups = new Map<string, string[]>();
  const userNames = new Map<string, string>([[botUserId, 'meshbot']]);
  const channels = new Map<string, DoubleMessage[]>();
  const channelNames = new Map<string, string>();
  const uploads = new Map<string, { name: string; title?: string; content?: string }>();
  const ephemeralAnswers: EphemeralAnswer[] = [];
  const responseUrls = new Map<string, { triggerId: string; user: string }>();
  let eventsUrl: string | undefined;
  let seq = 0;
  let baseUrl = '';

  const nextTs = (): string => `${Math.floor(Date.now() / 1000)}.${String(++seq).padStart(6, '0')}`;
  const notify = (): void => {
    events.emit('change');
  };
  const findMessage = (channel: string, ts: string): DoubleMessage | undefined =>
    channels.get(channel)?.find((m) => m.ts === ts);
  const addMessage = (m: DoubleMessage): void => {
    const list = channels.get(m.channel) ?? [];
    list.push(m);
    channels.set(m.channel, list);
  };

  function takeFailure(method: string, channel: string | undefined) {
    const list = failures.get(method);
    if (!list) return undefined;
    const f = list.find((x) => x.left > 0 && (x.channel === undefined || x.channel === channel));
    if (!f) return undefined;
    f.left--;
    return f;
  }

  function authOf(
    req: IncomingMessage,
    params: Record<string, unknown>,
  ): { kind: RecordedCall['auth']; token?: string } {
    const header = req.headers.authorization;
    const token = header?.startsWith('Bearer ')
      ? header.slice(7)
      : typeof params.token === 'string'
        ? params.token
        : undefined;
    if (!token) return { kind: 'none' };
    if (token === botToken) return { kind: 'bot', token };
    if (token === appToken) return { kind: 'app', token };
    return { kind: 'invalid', token };
  }

  type Answer = { status: number; body: Record<string, unknown>; headers?: Record<string, string> };
  const ok = (body: Record<string, unknown> = {}): Answer => ({ status: 200, body: { ok: true, ...body } });
  const fail = (error: string, extra: Record<string, unknown> = {}): Answer => ({
    status: 200,
    body: { ok: false, error, ...extra },
  });
  const str = (v: unknown): string | undefined =>
    typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;

  function messageFrom(
    params: Record<string, unknown>,
    channel: string,
  ): Omit<DoubleMessage, 'ts' | 'updates'> {
    const blocks = Array.isArray(params.blocks) ? (params.blocks as unknown[]) : [];
    const md = params.metadata as DoubleMessage['metadata'] | undefined;
    const threadTs = str(params.thread_ts);
    return {
      channel,
      user: botUserId,
      text: str(params.text) ?? '',
      blocks,
      ...(threadTs ? { thread_ts: threadTs } : {}),
      ...(md && typeof md === 'object' ? { metadata: md } : {}),
    };
  }

  function webApi(method: string, params: Record<string, unknown>, auth: RecordedCall['auth']): Answer {
    if (method === 'apps.connections.open') {
      if (auth === 'none') return fail('not_authed');
      if (auth !== 'app') return fail('invalid_auth');
      return ok({ url: `${baseUrl.replace(/^http/, 'ws')}/socket-mode?ticket=${randomUUID()}` });
    }
    if (auth === 'none') return fail('not_authed');
    if (auth !== 'bot') return fail('invalid_auth');
    const channel = str(params.channel) ?? str(params.channel_id);
    const failure = takeFailure(method, channel);
    if (failure) {
      if (failure.error === 'ratelimited') {
        return {
          status: 429,
          body: { ok: false, error: 'ratelimited' },
          headers: { 'retry-after': String(failure.retryAfterSeconds) },
        };
      }
      return fail(failure.error);
    }
    switch (method) {
      case 'auth.test':
        return ok({
          url: 'https://meshbot-sandbox.slack.com/',
          team: 'meshbot sandbox',
          user: 'meshbot',
          team_id: teamId,
          user_id: botUserId,
          bot_id: 'B0MESHBOT',
        });
      case 'chat.postMessage': {
        if (!channel) return fail('channel_not_found');
        if (notMember.has(channel)) return fail('not_in_channel');
        const problem = checkBlocks(params.blocks);
        if (problem) return fail('invalid_blocks', { errors: [problem] });
        const threadTs = str(params.thread_ts);
        if (threadTs && !findMessage(channel, threadTs)) return fail('thread_not_found');
        const m: DoubleMessage = { ...messageFrom(params, channel), ts: nextTs(), updates: 0 };
        addMessage(m);
        return ok({
          channel,
          ts: m.ts,
          message: { type: 'message', user: botUserId, text: m.text, ts: m.ts, blocks: m.blocks },
        });
      }
      case 'chat.update': {
        const ts = str(params.ts);
        if (!channel || !ts) return fail('invalid_arguments');
        if (notMember.has(channel)) return fail('not_in_channel');
        const m = findMessage(channel, ts);
        if (!m) return fail('message_not_found');
        const problem = checkBlocks(params.blocks);
        if (problem) return fail('invalid_blocks', { errors: [problem] });
        const next = messageFrom(params, channel);
        m.text = next.text;
        m.blocks = next.blocks;
        if (next.metadata) m.metadata = next.metadata;
        m.updates++;
        return ok({ channel, ts, text: m.text });
      }
      case 'chat.postEphemeral': {
        if (!channel) return fail('channel_not_found');
        if (notMember.has(channel)) return fail('not_in_channel');
        const blocks = Array.isArray(params.blocks) ? (params.blocks as unknown[]) : [];
        ephemeralAnswers.push({
          via: 'chat.postEphemeral',
          user: str(params.user) ?? '',
          text: str(params.text) ?? '',
          blocks,
        });
        return ok({ message_ts: nextTs() });
      }
      case 'conversations.info':
        if (!channel) return fail('channel_not_found');
        return ok({
          channel: {
            id: channel,
            name: channelNames.get(channel) ?? channel.toLowerCase(),
            is_channel: true,
            is_member: !notMember.has(channel),
          },
        });
      case 'conversations.history':
      case 'conversations.replies': {
        // Newest first (history) or parent then replies oldest first (replies), as Slack
        // answers; metadata only with include_all_metadata; `cursor` is an offset.
        if (!channel) return fail('channel_not_found');
        if (!channels.has(channel) && notMember.has(channel)) return fail('not_in_channel');
        const parentTs = str(params.ts);
        if (method === 'conversations.replies' && (!parentTs || !findMessage(channel, parentTs)))
          return fail('thread_not_found');
        const oldest = Number(str(params.oldest) ?? '0');
        const latest = Number(str(params.latest) ?? 'Infinity');
        const limit = Math.min(Number(str(params.limit) ?? '100') || 100, 1000);
        const offset = Number(str(params.cursor) ?? '0') || 0;
        const withMetadata = params.include_all_metadata === true || params.include_all_metadata === 'true';
        const all = (channels.get(channel) ?? []).filter((m) =>
          method === 'conversations.history' ? !m.thread_ts : m.ts === parentTs || m.thread_ts === parentTs,
        );
        const inRange = all.filter(
          (m) => m.ts === parentTs || (Number(m.ts) >= oldest && Number(m.ts) <= latest),
        );
        if (method === 'conversations.history') inRange.reverse();
        const page = inRange.slice(offset, offset + limit);
        const more = offset + limit < inRange.length;
        return ok({
          messages: page.map((m) => ({
            type: 'message',
            user: m.user,
            text: m.text,
            ts: m.ts,
            ...(m.thread_ts ? { thread_ts: m.thread_ts } : {}),
            ...(withMetadata && m.metadata ? { metadata: m.metadata } : {}),
          })),
          has_more: more,
          response_metadata: { next_cursor: more ? String(offset + limit) : '' },
        });
      }
      case 'usergroups.users.list': {
        const users = userGroups.get(str(params.usergroup) ?? '');
        return users ? ok({ users }) : fail('no_such_subteam');
      }
      case 'files.getUploadURLExternal': {
        const name = str(params.filename);
        const length = Number(str(params.length));
        if (!name || !Number.isFinite(length) || length <= 0) return fail('invalid_arguments');
        const id = `F${randomUUID().replace(/-/g, '').slice(0, 10).toUpperCase()}`;
        uploads.set(id, { name });
        return ok({ upload_url: `${baseUrl}/upload/${id}`, file_id: id });
      }
      case 'files.completeUploadExternal': {
        const files = Array.isArray(params.files) ? (params.files as { id?: string; title?: string }[]) : [];
        if (files.length === 0) return fail('invalid_arguments');
        const done: DoubleMessage['files'] = [];
        for (const f of files) {
          const u = f.id ? uploads.get(f.id) : undefined;
          if (!u || u.content === undefined) return fail('file_not_found');
          done.push({ id: f.id!, name: u.name, title: f.title ?? u.name, content: u.content });
        }
        if (channel) {
          if (notMember.has(channel)) return fail('not_in_channel');
          const threadTs = str(params.thread_ts);
          addMessage({
            channel,
            ts: nextTs(),
            user: botUserId,
            text: str(params.initial_comment) ?? '',
            blocks: [],
            files: done,
            updates: 0,
            ...(threadTs ? { thread_ts: threadTs } : {}),
          });
        }
        return ok({ files: done.map((f) => ({ id: f.id, title: f.title, name: f.name })) });
      }
      default:
        return fail('unknown_method');
    }
  }

  // ---- Socket Mode ----
  const wss = new WebSocketServer({ noServer: true });
  const sockets = new Set<WebSocket>();
  const pendingAcks = new Map<string, (payload: unknown) => void>();
  let connectedResolve: (() => void) | undefined;
  let connected = new Promise<void>((r) => (connectedResolve = r));
  wss.on('connection', (ws) => {
    sockets.add(ws);
    const ping = setInterval(() => ws.ping(), options.pingIntervalMs ?? 10_000);
    ws.on('close', () => {
      clearInterval(ping);
      sockets.delete(ws);
      if (sockets.size === 0) connected = new Promise<void>((r) => (connectedResolve = r));
    });
    ws.on('message', (data) => {
      let msg: { envelope_id?: string; payload?: unknown };
      try {
        msg = JSON.parse(String(data)) as typeof msg;
      } catch {
        return;
      }
      if (msg.envelope_id) pendingAcks.get(msg.envelope_id)?.(msg.payload);
    });
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: sockets.size,
        debug_info: { host: 'meshbot-slack-double', approximate_connection_time: 3600 },
        connection_info: { app_id: 'A0MESHBOT' },
      }),
    );
    connectedResolve?.();
  });

  async function sendEnvelope(type: 'slash_commands' | 'interactive', payload: unknown): Promise<Delivery> {
    await connected;
    const ws = [...sockets].pop();
    if (!ws) throw new Error('no Socket Mode connection');
    const envelopeId = randomUUID();
    const started = Date.now();
    return new Promise<Delivery>((resolve) => {
      const timer = setTimeout(() => {
        pendingAcks.delete(envelopeId);
        ackTimeouts.push(envelopeId);
        resolve({ transport: 'socket', acked: false, ackMs: Date.now() - started });
      }, ackTimeoutMs);
      pendingAcks.set(envelopeId, (ackPayload) => {
        clearTimeout(timer);
        pendingAcks.delete(envelopeId);
        resolve({ transport: 'socket', acked: true, ackMs: Date.now() - started, ackPayload });
      });
      ws.send(
        JSON.stringify({
          envelope_id: envelopeId,
          type,
          payload,
          accepts_response_payload: type === 'slash_commands',
        }),
      );
    });
  }

  async function postRaw(
    body: string,
    headers: Record<string, string>,
  ): Promise<{ status: number; body: string }> {
    if (!eventsUrl) throw new Error('no events URL: call setEventsUrl first (HTTP mode)');
    const res = await fetch(eventsUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body,
      signal: AbortSignal.timeout(ackTimeoutMs + 2000),
    });
    return { status: res.status, body: await res.text() };
  }

  async function deliverHttp(body: string): Promise<Delivery> {
    const started = Date.now();
    const res = await postRaw(body, signedHeaders(signingSecret, body));
    const ackMs = Date.now() - started;
    const acked = res.status === 200 && ackMs <= ackTimeoutMs;
    if (!acked) ackTimeouts.push(`http:${started}`);
    let ackPayload: unknown = res.body;
    try {
      ackPayload = res.body ? JSON.parse(res.body) : undefined;
    } catch {
      // plain text answer
    }
    return { transport: 'http', acked, ackMs, status: res.status, ackPayload };
  }

  // ---- HTTP server ----
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const raw = await readBody(req);
      const reply = (
        status: number,
        body: Record<string, unknown>,
        headers: Record<string, string> = {},
      ): void => {
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
        res.end(JSON.stringify(body));
      };
      if (url.pathname.startsWith('/upload/') && req.method === 'POST') {
        const id = url.pathname.slice('/upload/'.length);
        const u = uploads.get(id);
        const record = (status: number): void => {
          calls.push({
            method: 'upload',
            params: { file_id: id, bytes: raw.length },
            auth: 'none',
            status,
            response: {},
            at: Date.now(),
          });
          notify();
        };
        if (!u) {
          record(404);
          res.writeHead(404).end();
          return;
        }
        u.content = uploadedBytes(raw, req.headers['content-type']).toString('utf8');
        record(200);
        res.writeHead(200, { 'content-type': 'text/plain' }).end(`OK - ${raw.length}`);
        return;
      }
      if (url.pathname.startsWith('/response/') && req.method === 'POST') {
        const params = parseParams(raw.toString('utf8'), req.headers['content-type'] ?? 'application/json');
        const who = responseUrls.get(url.pathname);
        const blocks = Array.isArray(params.blocks) ? (params.blocks as unknown[]) : [];
        const problem = checkBlocks(params.blocks);
        const status = who ? (problem ? 400 : 200) : 404;
        if (who && !problem) {
          ephemeralAnswers.push({
            via: 'response_url',
            triggerId: who.triggerId,
            user: who.user,
            text: str(params.text) ?? '',
            blocks,
          });
        }
        calls.push({
          method: 'response_url',
          params: { ...params, response_url: `${baseUrl}${url.pathname}` },
          auth: 'none',
          status,
          response: {},
          at: Date.now(),
        });
        notify();
        res
          .writeHead(status, { 'content-type': 'text/plain' })
          .end(status === 200 ? 'ok' : (problem ?? 'not found'));
        return;
      }
      const m = /^\/api\/([a-zA-Z.]+)$/.exec(url.pathname);
      if (!m || req.method !== 'POST') {
        reply(404, { ok: false, error: 'unknown_method' });
        return;
      }
      const method = m[1]!;
      let params: Record<string, unknown>;
      try {
        params = parseParams(raw.toString('utf8'), req.headers['content-type']);
      } catch {
        reply(200, { ok: false, error: 'invalid_json' });
        return;
      }
      const auth = authOf(req, params);
      const answer = webApi(method, params, auth.kind);
      const { token: _token, ...safeParams } = params;
      calls.push({
        method,
        params: safeParams,
        auth: auth.kind,
        status: answer.status,
        response: answer.body,
        at: Date.now(),
      });
      notify();
      reply(answer.status, answer.body, answer.headers);
    })().catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: false, error: 'internal_error', detail: String(err) }));
    });
  });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/socket-mode') {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  function newTrigger(user: string): { triggerId: string; responseUrl: string } {
    const triggerId = `${Date.now()}.${++seq}.${randomUUID().slice(0, 8)}`;
    const path = `/response/${randomUUID()}`;
    responseUrls.set(path, { triggerId, user });
    return { triggerId, responseUrl: `${baseUrl}${path}` };
  }

  function waitFor<T>(check: () => T | undefined, timeoutMs = 15_000, what = 'a condition'): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const attempt = (): boolean => {
        const v = check();
        if (v === undefined) return false;
        cleanup();
        resolve(v);
        return true;
      };
      const onChange = (): void => {
        attempt();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`Slack double: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        events.off('change', onChange);
      };
      events.on('change', onChange);
      attempt();
    });
  }

  function thread(channel: string, ts: string): DoubleThread {
    const list = channels.get(channel) ?? [];
    const parent = list.find((m) => m.ts === ts);
    if (!parent) throw new Error(`no message ${ts} in ${channel}`);
    return { channel, parent, replies: list.filter((m) => m.thread_ts === ts) };
  }

  return {
    apiUrl: `${baseUrl}/api/`,
    botToken,
    appToken,
    signingSecret,
    teamId,
    botUserId,
    calls,
    ackTimeouts,
    callsOf: (method) => calls.filter((c) => c.method === method),
    failNext(method, error, opts = {}) {
      const list = failures.get(method) ?? [];
      list.push({
        error,
        left: opts.times ?? 1,
        retryAfterSeconds: opts.retryAfterSeconds ?? 1,
        ...(opts.channel ? { channel: opts.channel } : {}),
      });
      failures.set(method, list);
    },
    leaveChannel: (c) => void notMember.add(c),
    joinChannel: (c) => void notMember.delete(c),
    setUserGroup: (g, users) => void userGroups.set(g, users),
    setChannelName: (c, name) => void channelNames.set(c, name),
    setEventsUrl(url) {
      eventsUrl = url;
    },
    socketConnected: () => connected,
    async sendSlashCommand(input) {
      const userId = input.userId ?? 'U0ALICE';
      const { triggerId, responseUrl } = newTrigger(userId);
      const channelId = input.channelId ?? 'C0INCIDENT';
      const channelName = input.channelName ?? 'incidents';
      const userName = input.userName ?? 'alice';
      userNames.set(userId, userName);
      if (!channelNames.has(channelId) && channelName !== 'privategroup')
        channelNames.set(channelId, channelName);
      const payload: Record<string, string> = {
        token: 'deprecated-verification-token',
        team_id: input.teamId ?? teamId,
        team_domain: 'meshbot-sandbox',
        channel_id: channelId,
        channel_name: channelName,
        user_id: userId,
        user_name: userName,
        command: input.command ?? '/mesh',
        text: input.text,
        api_app_id: 'A0MESHBOT',
        is_enterprise_install: 'false',
        response_url: responseUrl,
        trigger_id: triggerId,
      };
      const delivery = eventsUrl
        ? await deliverHttp(new URLSearchParams(payload).toString())
        : await sendEnvelope('slash_commands', payload);
      return { triggerId, responseUrl, delivery };
    },
    async sendBlockAction(input) {
      const userId = input.userId ?? 'U0ALICE';
      const { triggerId, responseUrl } = newTrigger(userId);
      const channelId = input.channelId ?? 'C0INCIDENT';
      const userName = input.userName ?? 'alice';
      userNames.set(userId, userName);
      const messageTs = input.messageTs ?? nextTs();
      const payload = {
        type: 'block_actions',
        user: { id: userId, username: userName, name: userName, team_id: teamId },
        api_app_id: 'A0MESHBOT',
        token: 'deprecated-verification-token',
        container: { type: 'message', message_ts: messageTs, channel_id: channelId, is_ephemeral: false },
        trigger_id: triggerId,
        team: { id: teamId, domain: 'meshbot-sandbox' },
        is_enterprise_install: false,
        channel: { id: channelId, name: input.channelName ?? channelNames.get(channelId) ?? 'incidents' },
        message: { type: 'message', ts: messageTs, text: '', user: botUserId },
        response_url: responseUrl,
        actions: [
          {
            type: 'button',
            action_id: input.actionId,
            block_id: input.blockId ?? 'b1',
            text: { type: 'plain_text', text: 'button' },
            value: input.value,
            action_ts: `${Date.now() / 1000}`,
          },
        ],
      };
      const delivery = eventsUrl
        ? await deliverHttp(new URLSearchParams({ payload: JSON.stringify(payload) }).toString())
        : await sendEnvelope('interactive', payload);
      return { triggerId, responseUrl, delivery };
    },
    postRaw,
    messages: (channel) => [...(channels.get(channel) ?? [])],
    thread,
    waitFor,
    waitForThread(triggerId, timeoutMs) {
      return waitFor(
        () => {
          for (const [channel, list] of channels) {
            const parent = list.find((m) => m.metadata?.event_payload.trigger_id === triggerId);
            if (parent && parent.metadata?.event_payload.status !== 'running')
              return thread(channel, parent.ts);
          }
          return undefined;
        },
        timeoutMs,
        `the thread of trigger ${triggerId}`,
      );
    },
    waitForEphemeral(triggerId, count = 1, timeoutMs) {
      return waitFor(
        () => {
          const found = ephemeralAnswers.filter((e) => e.triggerId === triggerId);
          return found.length >= count ? found : undefined;
        },
        timeoutMs,
        `an ephemeral answer to trigger ${triggerId}`,
      );
    },
    ephemerals: () => [...ephemeralAnswers],
    userName: (id) => userNames.get(id),
    async close() {
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
