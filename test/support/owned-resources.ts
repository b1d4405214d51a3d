/**
 * What a test file starts in beforeAll (a sandbox, Prometheus, a server), stopped in afterAll
 * even when its start is still going. A beforeAll that times out under load does not stop the
 * start it awaited: `rig = await startMetricsRig()` assigns later, after afterAll ran
 * `rig?.stop()` on undefined, and the sandbox's servers and Prometheus's process then keep
 * jest's worker alive ("A worker process has failed to exit gracefully and has been force
 * exited"), or in band keep jest from exiting at all.
 */
export interface OwnedResources {
  /**
   * Resolves as `starting` does, and has `stop` called on what it resolves to by stopAll(); when
   * stopAll() already ran (the hook that started it timed out), as soon as it resolves.
   */
  own<T>(starting: Promise<T>, stop: (started: T) => Promise<unknown> | unknown): Promise<T>;
  /** Stops everything owned, the last started first, each once its start has settled. */
  stopAll(): Promise<void>;
}

export function ownResources(): OwnedResources {
  const stops: Array<() => Promise<void>> = [];
  let stopped = false;
  return {
    own(starting, stop) {
      let once: Promise<void> | undefined;
      const stopIt = (): Promise<void> =>
        (once ??= starting.then(
          async (started) => {
            await stop(started);
          },
          // A start that failed has nothing to stop; its error is the hook's.
          () => undefined,
        ));
      if (stopped) void stopIt();
      else stops.push(stopIt);
      return starting;
    },
    async stopAll() {
      stopped = true;
      const errors: unknown[] = [];
      for (const stopIt of stops.splice(0).reverse()) {
        await stopIt().catch((err: unknown) => void errors.push(err));
      }
      if (errors.length > 0) throw errors[0];
    },
  };
}
