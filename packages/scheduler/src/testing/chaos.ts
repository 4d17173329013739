/**
 * Wraps an object so that, after `kill()`, every method call (and every call still in flight) never settles:
 * a replica that died at an arbitrary await point. Used by the engine suite and the crash proof tests.
 */
export function killable<T extends object>(target: T): { proxy: T; kill(): void; readonly dead: boolean } {
  let dead = false;
  const never = new Promise<never>(() => {});
  const proxy = new Proxy(target, {
    get(obj, prop, receiver) {
      const value = Reflect.get(obj, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (dead) return never;
        const result = (value as (...a: unknown[]) => unknown).apply(obj, args);
        if (result instanceof Promise) return result.then((v) => (dead ? never : v));
        return result;
      };
    },
  });
  return {
    proxy,
    kill: () => {
      dead = true;
    },
    get dead() {
      return dead;
    },
  };
}
