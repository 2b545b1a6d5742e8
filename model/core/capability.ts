/**
 * What a policy hook loaded from a file receives: a capability, not the
 * machine. A frozen object with only the members of the model's documented
 * hook interface, each forwarding to the real context: reading a property
 * reads the context, calling a method calls it, and nothing else can be
 * reached (no packed state, no private fields) or replaced (assigning a
 * member throws, in strict and sloppy code alike). Built-in
 * policies get the context itself, so the hot path pays nothing.
 */
export function capabilityOf<T extends object>(impl: T, members: readonly (keyof T & string)[]): T {
  const cap: Record<string, unknown> = Object.create(null);
  for (const m of members) {
    const v = (impl as Record<string, unknown>)[m];
    if (typeof v === 'function') {
      const f = (...args: unknown[]) => (v as (...a: unknown[]) => unknown).apply(impl, args);
      Object.defineProperty(cap, m, { value: f, enumerable: true });
    } else {
      Object.defineProperty(cap, m, { get: () => (impl as Record<string, unknown>)[m], enumerable: true });
    }
  }
  // Frozen, and behind a proxy that refuses writes in sloppy code too (a frozen
  // object ignores them there): `hyp.pcpu = 1` is a policy bug, said as such.
  const refuse = (what: string): never => {
    throw new TypeError(`hyp.${what} is read-only: a hook acts through hyp's operations`);
  };
  return new Proxy(Object.freeze(cap), {
    set: (_t, key) => refuse(String(key)),
    defineProperty: (_t, key) => refuse(String(key)),
    deleteProperty: (_t, key) => refuse(String(key)),
  }) as T;
}

/** Compile-time check that a member list names every member of an interface: `Exhaustive<keyof I, typeof LIST>`. */
export type Exhaustive<K, L extends readonly unknown[]> = [Exclude<K, L[number]>] extends [never] ? L : { missing: Exclude<K, L[number]> };

/** A boolean argument of a hook operation (a string or number there is a policy bug, not "truthy"). */
export function boolArg(x: unknown, what: string, fail: (msg: string) => never): boolean {
  if (typeof x !== 'boolean') fail(`${what} must be true or false, got ${typeof x === 'string' ? JSON.stringify(x) : String(x)}`);
  return x as boolean;
}
