/** Canonical string of an action object (keys sorted), for finding actions named in JSON traces. */
export function actionKey(a: unknown): string {
  if (a === null || typeof a !== 'object' || Array.isArray(a)) return JSON.stringify(a);
  const o = a as Record<string, unknown>;
  return JSON.stringify(Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]])));
}
