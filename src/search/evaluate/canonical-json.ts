/**
 * JSON with object keys sorted at every level: two values that hold the same data compare equal
 * whatever order their keys were written in (a run.json read back, a task built in another thread).
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}
