/**
 * The Prometheus base URL a user gives (--prometheus, MESHBOT_PROMETHEUS_URL), checked. Its own
 * module, apart from the client and its zod response schemas, so the CLI can check the flag
 * without loading them.
 */
import { MeshbotError } from '../../errors.js';
import { DEFAULT_PROMETHEUS_URL } from './prometheus-errors.js';

/** Checks a Prometheus base URL; a usage error names what is wrong. */
export function parsePrometheusUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new MeshbotError(
      'usage',
      `Prometheus URL "${raw.slice(0, 80)}" is not a URL`,
      `Give it as ${DEFAULT_PROMETHEUS_URL}.`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new MeshbotError(
      'usage',
      `Prometheus URL "${raw.slice(0, 80)}" must be http or https`,
      `Give it as ${DEFAULT_PROMETHEUS_URL}.`,
    );
  }
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  url.search = '';
  url.hash = '';
  return url;
}
