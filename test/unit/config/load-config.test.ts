import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, redactConfig } from '../../../src/config/load-config.js';
import { configSchema, slackMode } from '../../../src/config/config-schema.js';
import { MeshbotError, exitCodeForError } from '../../../src/errors.js';

const BOT = 'xoxb-1234-5678-abcdef';
const APP = 'xapp-1-A1-2-abcdef';
const SECRET = 'abcdef0123456789abcdef0123456789';

async function failure(env: NodeJS.ProcessEnv, configFile?: string): Promise<MeshbotError> {
  try {
    await loadConfig({ env, ...(configFile ? { configFile } : {}) });
  } catch (err) {
    if (err instanceof MeshbotError) return err;
    throw err;
  }
  throw new Error('expected a configuration error');
}

function file(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'meshbot-config-'));
  const path = join(dir, 'meshbot.yaml');
  writeFileSync(path, text);
  return path;
}

describe('loadConfig', () => {
  it('reads Socket Mode settings from the environment with defaults', async () => {
    const c = await loadConfig({ env: { SLACK_BOT_TOKEN: BOT, SLACK_APP_TOKEN: APP } });
    expect(slackMode(c)).toBe('socket');
    expect(c.port).toBe(3000);
    expect(c.authorization).toEqual({ mutators: { users: [], userGroups: [] } });
    expect(c.rateLimit).toEqual({ commands: 10, perSeconds: 60 });
  });

  it('chooses HTTP mode with a signing secret and normalizes SLACK_API_URL', async () => {
    const c = await loadConfig({
      env: {
        SLACK_BOT_TOKEN: BOT,
        SLACK_SIGNING_SECRET: SECRET,
        SLACK_API_URL: 'https://slack-gov.com/api',
        PORT: '8080',
      },
    });
    expect(slackMode(c)).toBe('http');
    expect(c.slack.apiUrl).toBe('https://slack-gov.com/api/');
    expect(c.port).toBe(8080);
  });

  it('lists every problem in one message, exit code 2, and never echoes a secret', async () => {
    const err = await failure({
      SLACK_BOT_TOKEN: 'xoxp-user-token-secret',
      PORT: '70000',
      SLACK_API_URL: 'ftp://x',
    });
    expect(err.kind).toBe('config');
    expect(exitCodeForError(err)).toBe(2);
    expect(err.message).toContain('SLACK_BOT_TOKEN (slack.botToken): must be a bot token (xoxb-...)');
    expect(err.message).toContain('PORT (port)');
    expect(err.message).toContain('SLACK_API_URL (slack.apiUrl)');
    expect(err.message).toContain('SLACK_APP_TOKEN (slack.appToken): missing');
    expect(err.message).not.toContain('xoxp-user-token-secret');
  });

  it('names a missing bot token and a missing mode together', async () => {
    const err = await failure({});
    expect(err.message.split('\n').filter((l) => l.startsWith('  - '))).toHaveLength(2);
    expect(err.message).toContain('SLACK_BOT_TOKEN');
    expect(err.message).toContain('SLACK_SIGNING_SECRET');
  });

  it('reads authorization and rate limit from a YAML file; the environment wins for Slack settings', async () => {
    const path = file(`
port: 4000
slack:
  apiUrl: https://example.test/api/
authorization:
  channels:
    - id: C0INCIDENTS
      namespaces: [emojivoto]
    - name: sre
    - id: "*"
      answer: false
  mutators:
    users: [U012AB3CD]
    userGroups: [S0SRE]
rateLimit:
  commands: 5
  perSeconds: 30
`);
    const c = await loadConfig({
      env: { SLACK_BOT_TOKEN: BOT, SLACK_APP_TOKEN: APP, SLACK_API_URL: 'http://127.0.0.1:9/api/' },
      configFile: path,
    });
    expect(c.port).toBe(4000);
    expect(c.slack.apiUrl).toBe('http://127.0.0.1:9/api/');
    expect(c.authorization.channels).toEqual([
      { id: 'C0INCIDENTS', answer: true, namespaces: ['emojivoto'] },
      { name: 'sre', answer: true, namespaces: ['*'] },
      { id: '*', answer: false, namespaces: ['*'] },
    ]);
    expect(c.authorization.mutators).toEqual({ users: ['U012AB3CD'], userGroups: ['S0SRE'] });
    expect(c.rateLimit).toEqual({ commands: 5, perSeconds: 30 });
  });

  it('rejects unknown keys and bad values in the file, all at once', async () => {
    const path = file(`
autorization: {}
authorization:
  channels:
    - namespaces: [Bad_NS]
  mutators:
    users: [alice]
rateLimit:
  commands: 0
`);
    const err = await failure({ SLACK_BOT_TOKEN: BOT, SLACK_APP_TOKEN: APP }, path);
    expect(err.message).toContain('autorization');
    expect(err.message).toContain('authorization.channels.0.namespaces.0');
    expect(err.message).toContain('a channel rule needs an id or a name');
    expect(err.message).toContain('authorization.mutators.users.0');
    expect(err.message).toContain('rateLimit.commands');
  });

  it('explains a missing or unparsable file', async () => {
    const missing = await failure(
      { SLACK_BOT_TOKEN: BOT, SLACK_APP_TOKEN: APP },
      '/nonexistent/meshbot.yaml',
    );
    expect(missing.message).toBe('cannot read the config file /nonexistent/meshbot.yaml: no such file');
    expect(missing.hint).toMatch(/--config \(or MESHBOT_CONFIG\)/);
    const directory = mkdtempSync(join(tmpdir(), 'meshbot-config-'));
    expect((await failure({ SLACK_BOT_TOKEN: BOT, SLACK_APP_TOKEN: APP }, directory)).message).toMatch(
      /: it is a directory$/,
    );
    expect(
      (await failure({ SLACK_BOT_TOKEN: BOT, SLACK_APP_TOKEN: APP }, file('a: [1, 2'))).message,
    ).toContain('not valid YAML');
  });

  it('redacts secrets for logging', async () => {
    const c = await loadConfig({ env: { SLACK_BOT_TOKEN: BOT, SLACK_APP_TOKEN: APP } });
    const text = JSON.stringify(redactConfig(c));
    expect(text).not.toContain(BOT);
    expect(text).not.toContain(APP);
    expect(text).toContain('[redacted]');
  });
});

describe('clusters:', () => {
  const base = { slack: { botToken: 'xoxb-1', appToken: 'xapp-1' } };

  it('accepts a two-cluster config with per-cluster authorization and a channel default', () => {
    const c = configSchema.parse({
      ...base,
      clusters: [
        { name: 'staging', inCluster: true },
        {
          name: 'prod-eu',
          kubeconfig: '/etc/meshbot/kubeconfig',
          context: 'prod-eu',
          prometheusUrl: 'http://prometheus.linkerd-viz.svc.cluster.local:9090',
          authorization: { mutators: { users: [] } },
        },
      ],
      authorization: { channels: [{ name: 'prod-incidents', defaultCluster: 'prod-eu' }] },
    });
    expect(c.clusters?.map((k) => k.name)).toEqual(['staging', 'prod-eu']);
    expect(c.clusters?.[1]).toMatchObject({
      controlPlaneNamespace: 'linkerd',
      clusterDomain: 'cluster.local',
    });
    expect(c.clusters?.[1]?.authorization?.mutators).toEqual({ users: [], userGroups: [] });
  });

  it('refuses bad names, duplicates, two in-cluster clusters and a default cluster that is not listed', () => {
    const r = configSchema.safeParse({
      ...base,
      clusters: [
        { name: 'Prod_EU' },
        { name: 'a', inCluster: true },
        { name: 'a', inCluster: true },
        { name: 'b', inCluster: true, kubeconfig: '/x' },
      ],
      authorization: { channels: [{ id: 'C0OPS', defaultCluster: 'west' }] },
    });
    expect(r.success).toBe(false);
    const messages = r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n');
    expect(messages).toMatch(/clusters\.0\.name: a cluster name/);
    expect(messages).toMatch(/cluster "a" is listed twice/);
    expect(messages).toMatch(/only one cluster can be inCluster/);
    expect(messages).toMatch(/inCluster takes no kubeconfig or context/);
  });

  it('refuses a channel default cluster not in clusters:', () => {
    const r = configSchema.safeParse({
      ...base,
      clusters: [{ name: 'east' }],
      authorization: { channels: [{ id: 'C0OPS', defaultCluster: 'west' }] },
    });
    expect(r.error?.issues.map((i) => i.message)).toContain('no cluster "west" in clusters: (east)');
  });
});
