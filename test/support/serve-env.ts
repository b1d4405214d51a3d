/**
 * The environment of a `meshbot serve` run in process (runServe) against the Slack double:
 * its tokens and API URL, an ephemeral port, no log output; `extra` adds or overrides.
 */
import type { SlackDouble } from '../../src/sandbox/slack/start-slack-double.js';

export function serveEnv(slack: SlackDouble, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_APP_TOKEN: slack.appToken,
    SLACK_API_URL: slack.apiUrl,
    PORT: '0',
    LOG_LEVEL: 'silent',
    ...extra,
  };
}
