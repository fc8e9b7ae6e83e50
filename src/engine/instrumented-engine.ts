// instrumentEngine wraps an Engine so every call reports its duration and failure kind (for
// metrics), and bulk checks their batch size. It changes no behaviour.
import { EngineError, type Engine } from "./engine.js";
import { memoizedMethods } from "./memoized-methods.js";

export interface EngineObserver {
  call(method: string, seconds: number, failure?: string): void;
  batch(size: number): void;
}

const OBSERVED = [
  "check", "checkBulk", "explain", "expand", "lookupResources", "lookupSubjects", "readRelationships",
  "write", "deleteByFilter", "readSchema", "writeSchema",
] as const;

export function instrumentEngine<E extends Engine>(engine: E, observer: EngineObserver): E {
  // Each method is wrapped once, not at every call: the check path reads `engine.check` per request.
  return new Proxy(engine, {
    get: memoizedMethods((target, property, value) => {
      if (!(OBSERVED as readonly PropertyKey[]).includes(property)) return value.bind(target);
      const method = String(property);
      return async (...args: unknown[]) => {
        if (method === "checkBulk") observer.batch((args[0] as unknown[]).length);
        const started = performance.now();
        try {
          const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          observer.call(method, (performance.now() - started) / 1000);
          return result;
        } catch (err) {
          observer.call(method, (performance.now() - started) / 1000, err instanceof EngineError ? err.failure.kind : "unknown");
          throw err;
        }
      };
    }),
  });
}
