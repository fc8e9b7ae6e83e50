// instrumentEngine wraps an Engine so every call reports its duration and failure kind (for
// metrics), and bulk checks their batch size. It changes no behaviour.
import { EngineError, type Engine } from "./engine.js";

export interface EngineObserver {
  call(method: string, seconds: number, failure?: string): void;
  batch(size: number): void;
}

const OBSERVED = [
  "check", "checkBulk", "explain", "expand", "lookupResources", "lookupSubjects", "readRelationships",
  "write", "deleteByFilter", "readSchema", "writeSchema",
] as const;

export function instrumentEngine<E extends Engine>(engine: E, observer: EngineObserver): E {
  return new Proxy(engine, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== "function" || !(OBSERVED as readonly PropertyKey[]).includes(property)) {
        return typeof value === "function" ? value.bind(target) : value;
      }
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
    },
  });
}
