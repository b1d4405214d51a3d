import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import * as z from 'zod';
import { MeshbotError } from '../errors.js';
import { configSchema, ENV_NAMES, MODE_MISSING, type MeshbotConfig } from './config-schema.js';
import { reportsConfigSchema, type ReportConfig } from './reports-schema.js';

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** Path of a YAML config file; default: MESHBOT_CONFIG from the environment, else none. */
  configFile?: string;
}

function pathName(path: readonly PropertyKey[]): string {
  const dotted = path.map(String).join('.');
  const env = ENV_NAMES[dotted];
  return env ? `${env} (${dotted})` : dotted || '(config)';
}

/** Every problem of a failed parse, one line each. */
export function formatConfigIssues(error: z.ZodError, source: string, extra: string[] = []): string {
  const lines = [...new Set([...error.issues.map((i) => `  - ${pathName(i.path)}: ${i.message}`), ...extra])];
  return `meshbot configuration is invalid (${source}):\n${lines.join('\n')}`;
}

function setIfDefined(target: Record<string, unknown>, key: string, value: string | undefined): void {
  if (value !== undefined && value !== '') target[key] = value;
}

/** The config file's mapping (empty without a file); unreadable or not YAML: a `config` error. */
export async function readConfigFile(file: string | undefined): Promise<Record<string, unknown>> {
  let fromFile: Record<string, unknown> = {};
  if (file) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why =
        code === 'ENOENT'
          ? 'no such file'
          : code === 'EACCES'
            ? 'permission denied'
            : code === 'EISDIR'
              ? 'it is a directory'
              : (code ?? String(err));
      throw new MeshbotError(
        'config',
        `cannot read the config file ${file}: ${why}`,
        'Give --config (or MESHBOT_CONFIG) the path of a readable YAML file; the README (Running it for real) shows one.',
      );
    }
    let doc: unknown;
    try {
      doc = parseYaml(text);
    } catch (err) {
      throw new MeshbotError(
        'config',
        `the config file ${file} is not valid YAML: ${(err as Error).message.split('\n')[0]}`,
      );
    }
    if (doc !== null && doc !== undefined) {
      if (typeof doc !== 'object' || Array.isArray(doc)) {
        throw new MeshbotError(
          'config',
          `the config file ${file} must hold a mapping (key: value) at the top`,
        );
      }
      fromFile = doc as Record<string, unknown>;
    }
  }
  return fromFile;
}

/**
 * Reads the config file (if any) and the environment into one validated config. Any
 * problem, of any number of fields, becomes one MeshbotError of kind `config` (exit 2)
 * listing them all. Secrets never appear in the message.
 */
export async function loadConfig({
  env = process.env,
  configFile,
}: LoadConfigOptions = {}): Promise<MeshbotConfig> {
  const file = configFile ?? (env.MESHBOT_CONFIG || undefined);
  const fromFile = await readConfigFile(file);
  const slack: Record<string, unknown> = {
    ...((fromFile.slack as Record<string, unknown> | undefined) ?? {}),
  };
  setIfDefined(slack, 'botToken', env.SLACK_BOT_TOKEN);
  setIfDefined(slack, 'appToken', env.SLACK_APP_TOKEN);
  setIfDefined(slack, 'signingSecret', env.SLACK_SIGNING_SECRET);
  setIfDefined(slack, 'apiUrl', env.SLACK_API_URL);
  const raw: Record<string, unknown> = { ...fromFile, slack };
  setIfDefined(raw, 'port', env.PORT);
  setIfDefined(raw, 'logLevel', env.LOG_LEVEL);

  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    // zod skips the schema's cross-field check when a field is missing; say it here too, so
    // one message lists everything.
    const extra =
      slack.appToken === undefined && slack.signingSecret === undefined
        ? [`  - ${pathName(['slack', 'appToken'])}: ${MODE_MISSING}`]
        : [];
    throw new MeshbotError(
      'config',
      formatConfigIssues(parsed.error, file ? `environment and ${file}` : 'environment', extra),
      'See docs/slack.md for every setting.',
    );
  }
  return parsed.data;
}

/** The config with its secrets replaced, safe to log. */
export function redactConfig(config: MeshbotConfig): MeshbotConfig {
  const r = (v: string | undefined): string | undefined => (v === undefined ? undefined : '[redacted]');
  return {
    ...config,
    slack: {
      ...config.slack,
      botToken: '[redacted]',
      appToken: r(config.slack.appToken),
      signingSecret: r(config.slack.signingSecret),
    },
  };
}

/**
 * Only the `reports:` of the config file (no Slack settings needed): for `meshbot report` on the
 * command line. Problems are one `config` error listing them all, as loadConfig's.
 */
export async function loadReportsConfig({ env = process.env, configFile }: LoadConfigOptions = {}): Promise<
  ReportConfig[]
> {
  const file = configFile ?? (env.MESHBOT_CONFIG || undefined);
  const parsed = reportsConfigSchema.safeParse((await readConfigFile(file))['reports']);
  if (!parsed.success) {
    const prefixed = new z.ZodError(parsed.error.issues.map((i) => ({ ...i, path: ['reports', ...i.path] })));
    throw new MeshbotError(
      'config',
      formatConfigIssues(prefixed, file ?? 'no config file'),
      'See docs/reports.md for the reports: settings.',
    );
  }
  return parsed.data;
}
