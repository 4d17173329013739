// @ts-check
// The audit input of a run, kept as `snapshot.json` in the work directory (`--keep-dir`), so an audit can be replayed
// on a finished run (`run.mjs --audit DIR`) after the auditor changed, or read by hand when a violation needs a look.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Writes the audit input and the harness's own records (kills, faults) to `dir/snapshot.json`.
 * @param {string} dir
 * @param {import('./audit.mjs').AuditInput} input
 * @param {Record<string, unknown>} extra
 */
export function writeSnapshot(dir, input, extra) {
  writeFileSync(
    join(dir, 'snapshot.json'),
    JSON.stringify({ ...extra, audit: { ...input, nextRunAt: [...input.nextRunAt.entries()] } }),
  );
}

/**
 * Reads `dir/snapshot.json` back into an audit input (dates revived where the audit compares them as dates).
 * @param {string} dir
 * @returns {{ input: import('./audit.mjs').AuditInput, extra: Record<string, any> }}
 */
export function readSnapshot(dir) {
  const { audit, ...extra } = JSON.parse(readFileSync(join(dir, 'snapshot.json'), 'utf8'));
  if (!audit) throw new Error(`${dir}/snapshot.json: no audit input in it (written by an older harness)`);
  /** @type {import('./audit.mjs').AuditInput} */
  const input = {
    ...audit,
    schedules: audit.schedules.map((/** @type {any} */ s) => ({
      ...s,
      initialNext: new Date(s.initialNext),
    })),
    nextRunAt: new Map(
      audit.nextRunAt.map((/** @type {[string, string | null]} */ [k, v]) => [
        k,
        v === null ? null : new Date(v),
      ]),
    ),
    windowEnd: new Date(audit.windowEnd),
  };
  return { input, extra };
}
