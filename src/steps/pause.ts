import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Waits `ms`, or less when `signal` aborts; never rejects. Node's timers/promises removes its
 * abort listener when the time is up, so a loop of pauses on one signal leaves none behind.
 */
export async function pause(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return;
  await sleep(Math.max(0, ms), undefined, signal ? { signal } : {}).catch((err: unknown) => {
    if (!signal?.aborted) throw err;
  });
}
