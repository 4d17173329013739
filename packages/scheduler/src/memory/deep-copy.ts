/**
 * A deep copy of the JSON-plus-Date values the memory stores keep (records, event payloads): much cheaper than
 * `structuredClone` for small records (issue "Scale": `structuredClone` of an event's payload cost more than the rest
 * of appending it).
 */
export function deepCopy<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return new Date(value.getTime()) as T;
  if (Array.isArray(value)) return value.map(deepCopy) as T;
  // A spread copy keeps the record's shape (one built key by key turns into a slow dictionary past a dozen keys, and
  // every later read of it, in the engine and the API, pays for that); only values that are objects are replaced.
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const key of Object.keys(out)) {
    const v = out[key];
    if (v !== null && typeof v === 'object') out[key] = deepCopy(v);
  }
  return out as T;
}
