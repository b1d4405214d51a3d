/** The Slack double's public shapes: recorded calls, messages, threads, deliveries. */

export interface RecordedCall {
  /** Web API method (`chat.postMessage`), or `upload` (the upload URL) or `response_url`. */
  method: string;
  /** Parsed parameters: form fields, with JSON-valued fields (blocks, metadata, files) decoded. */
  params: Record<string, unknown>;
  /** Which token came with the call. */
  auth: 'bot' | 'app' | 'none' | 'invalid';
  /** What the double answered. */
  status: number;
  response: Record<string, unknown>;
  at: number;
}

export interface DoubleMessage {
  channel: string;
  ts: string;
  /** Parent ts when this is a thread reply. */
  thread_ts?: string;
  user: string;
  text: string;
  blocks: unknown[];
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  files?: { id: string; name: string; title: string; content: string }[];
  /** How often chat.update changed it. */
  updates: number;
}

export interface DoubleThread {
  channel: string;
  parent: DoubleMessage;
  replies: DoubleMessage[];
}

export interface EphemeralAnswer {
  /** `response_url` (Bolt's respond) or `chat.postEphemeral`. */
  via: 'response_url' | 'chat.postEphemeral';
  triggerId?: string;
  user?: string;
  text: string;
  blocks: unknown[];
}

export interface Delivery {
  /** How the event reached the bot. */
  transport: 'socket' | 'http';
  acked: boolean;
  /** Time from sending to the ack (socket) or the HTTP response. */
  ackMs: number;
  /** HTTP mode: the bot's status code. */
  status?: number;
  /** What came with the ack (socket `payload`, or the HTTP response body). */
  ackPayload?: unknown;
}

export interface SentCommand {
  triggerId: string;
  responseUrl: string;
  delivery: Delivery;
}

export interface FailOptions {
  /** How many calls fail; default 1. */
  times?: number;
  /** For `ratelimited`: the Retry-After seconds; default 1. */
  retryAfterSeconds?: number;
  /** Only calls for this channel. */
  channel?: string;
}

export interface SlashCommandInput {
  text: string;
  userId?: string;
  userName?: string;
  channelId?: string;
  channelName?: string;
  command?: string;
  teamId?: string;
}

export interface BlockActionInput {
  actionId: string;
  value: string;
  userId?: string;
  userName?: string;
  channelId?: string;
  channelName?: string;
  /** The message that carried the button. */
  messageTs?: string;
  blockId?: string;
}
