/**
 * An adapter whose implementation is built on the first call of one of its methods: what an
 * adapter set uses for the parts that need client-node (check's control-plane reads, the
 * scale test's workloads), so that a command which never calls them never loads it.
 * Every method of T must return a promise; `known` answers T's plain properties at once.
 * A failed build is tried again by the next call.
 */
export function deferredAdapter<T extends object>(build: () => Promise<T>, known: Partial<T> = {}): T {
  let building: Promise<T> | undefined;
  const built = (): Promise<T> => {
    building ??= build().catch((err: unknown) => {
      building = undefined;
      throw err;
    });
    return building;
  };
  return new Proxy(known as T, {
    get(target, prop, receiver) {
      if (prop in target) return Reflect.get(target, prop, receiver) as unknown;
      // Not a promise itself: `await adapters.scaling` must not call `then`.
      if (prop === 'then') return undefined;
      return async (...args: unknown[]): Promise<unknown> => {
        const impl = await built();
        const method = Reflect.get(impl, prop) as unknown;
        if (typeof method !== 'function')
          throw new TypeError(`${String(prop)} is not a method of the adapter`);
        return (method as (...a: unknown[]) => unknown).apply(impl, args);
      };
    },
  });
}
