// memoized-methods: the engine is wrapped in Proxies (metrics, audit) and the check path reads
// `engine.check` on every request, so a method is wrapped (or bound) once, not at each access.
type Method = (...args: unknown[]) => unknown;

/**
 * memoizedMethods is a Proxy `get` trap for an object whose methods a proxy wraps: `wrap` runs
 * once per method (and again only if the method itself changes); other properties pass through.
 */
export function memoizedMethods<T extends object>(wrap: (target: T, property: PropertyKey, value: Method) => unknown): ProxyHandler<T>["get"] {
  const wrapped = new Map<PropertyKey, { value: Method; wrapper: unknown }>();
  return (target, property, receiver) => {
    const value = Reflect.get(target, property, receiver) as unknown;
    if (typeof value !== "function") return value;
    const known = wrapped.get(property);
    if (known?.value === value) return known.wrapper;
    const wrapper = wrap(target, property, value as Method);
    wrapped.set(property, { value: value as Method, wrapper });
    return wrapper;
  };
}
