/** How many instants {@link isoString} remembers before it starts over. */
const REMEMBERED = 4096;
const remembered = new Map<number, string>();

/**
 * `date.toISOString()`, remembered for recently seen instants (issue "Scale"). `Date#toISOString` costs about a
 * microsecond in V8 — the largest single cost of a schedule answer, whose dates (created, updated, next run) are the
 * same on every read — and a lookup about 20 ns. At most {@link REMEMBERED} instants are kept; when full, the memory
 * starts over (the next calls format again). An invalid date throws `RangeError`, as `toISOString` does.
 */
export function isoString(date: Date): string {
  const ms = date.getTime();
  let text = remembered.get(ms);
  if (text === undefined) {
    text = date.toISOString();
    if (remembered.size >= REMEMBERED) remembered.clear();
    remembered.set(ms, text);
  }
  return text;
}
