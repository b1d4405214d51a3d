import { createHmac } from 'node:crypto';

/**
 * Signs a request body exactly as Slack does: `v0=` + hex HMAC-SHA256 of
 * `v0:TIMESTAMP:BODY` with the app's signing secret.
 * https://docs.slack.dev/authentication/verifying-requests-from-slack
 */
export function slackSignature(signingSecret: string, timestampSeconds: number, body: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestampSeconds}:${body}`).digest('hex')}`;
}

/** The two headers Slack sends with every request to an app. */
export function signedHeaders(
  signingSecret: string,
  body: string,
  timestampSeconds = Math.floor(Date.now() / 1000),
): { 'x-slack-signature': string; 'x-slack-request-timestamp': string } {
  return {
    'x-slack-signature': slackSignature(signingSecret, timestampSeconds, body),
    'x-slack-request-timestamp': String(timestampSeconds),
  };
}
