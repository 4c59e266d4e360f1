// The fleet benches' whole-number options (`--vehicles 100000`), refused with the option's name.

/** The value after `name` in `args`, or `fallback`; throws unless a whole number from `min` to `max`. */
export function intArg(args: string[], name: string, fallback: number, max = Number.MAX_SAFE_INTEGER, min = 1): number {
  const at = args.indexOf(name);
  const value = at >= 0 ? Number(args[at + 1]) : fallback;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
    throw new Error(`${name} must be a whole number ${range}, got ${args[at + 1]}`);
  }
  return value;
}
