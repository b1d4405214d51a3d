/** Waits on the sandbox's own events: the meshed clients' updates and stream ends, and its metrics. */
import type { RunningSandbox } from '../../../../src/sandbox/start-sandbox.js';
import type { MeshEvent } from '../../../../src/sandbox/mesh/mesh-clients.js';

/** Resolves with the first mesh event that satisfies `match` (bounded by `timeoutMs`). */
export function waitForMeshEvent(
  sandbox: RunningSandbox,
  what: string,
  match: (e: MeshEvent) => boolean,
  timeoutMs = 20_000,
): Promise<MeshEvent> {
  return new Promise((resolve, reject) => {
    const guard = setTimeout(() => {
      stop();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    const stop = sandbox.mesh.onEvent((e) => {
      if (!match(e)) return;
      clearTimeout(guard);
      stop();
      resolve(e);
    });
  });
}

/** The sum of every sample of `name` whose labels include `labels` (any other labels). */
export function sumSamples(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  let sum: number | undefined;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const close = line.lastIndexOf('}');
    const found: Record<string, string> = {};
    for (const m of line.slice(0, close + 1).matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      if (m[1] !== undefined && m[2] !== undefined) found[m[1]] = m[2];
    if (!Object.entries(labels).every(([k, v]) => found[k] === v)) continue;
    sum = (sum ?? 0) + Number(line.slice(close + 1).trim());
  }
  return sum;
}

export async function scrapeText(url: string): Promise<string> {
  const res = await fetch(url);
  return res.text();
}
