import { readFileSync } from 'node:fs';
import { MONGO_ERROR_CODES } from '@craft/mongo';
import { SCHEDULER_ERROR_CODES } from '@craft/scheduler';
import { describe, expect, it } from 'vitest';
import * as errors from '../src/lib/errors.js';
import { LIBRARY_EXIT_STATUSES } from '../src/lib/report.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** The text under a heading, up to the next heading of the same or a higher level. */
function section(heading: string): string {
  const level = /^#+/.exec(heading)?.[0].length ?? 2;
  const start = readme.indexOf(`\n${heading}\n`);
  expect(start, `README has a "${heading}" section`).toBeGreaterThan(-1);
  const rest = readme.slice(start + heading.length + 2);
  const next = rest.search(new RegExp(`^#{1,${level}} `, 'm'));
  const body = next === -1 ? rest : rest.slice(0, next);
  // A section's own table stops at its first subsection.
  const sub = body.search(/^#{3,} /m);
  return sub === -1 ? body : body.slice(0, sub);
}

/** First and second cells of each table row of a README section, keyed by the first. */
function tableRows(heading: string): Map<string, string> {
  const rows = new Map<string, string>();
  for (const match of section(heading).matchAll(/^\|\s*`([^`]+)`\s*\|\s*([^|]+?)\s*\|/gm)) {
    rows.set(match[1] as string, (match[2] as string).trim());
  }
  return rows;
}

describe('the README catalogs every error code and exit status', () => {
  it('lists each code the CLI defines, with its exit status, and nothing else', () => {
    const documented = tableRows('## Errors');
    expect([...documented.keys()].sort()).toEqual([...errors.ERROR_CODES].sort());

    const instances = [
      new errors.UsageError('x'),
      new errors.InvalidArgumentError('--x', 'y', 'x'),
      new errors.ConfigFileError('/f', 'x'),
      new errors.ConfigValueError('X', 'x'),
      new errors.MissingSecretError('x'),
      new errors.NoDatabaseError('run', 'x'),
      new errors.JobsPathError('/jobs.js', 'x'),
      new errors.InternalError(new Error('x')),
    ];
    expect(instances.map((e) => e.code).sort()).toEqual([...errors.ERROR_CODES].sort());
    for (const error of instances) {
      expect(documented.get(error.code), error.code).toBe(String(error.exitStatus));
    }
  });

  it('lists each library code the CLI maps, with the exit status it maps to', () => {
    const documented = tableRows('### Errors of the libraries');
    expect(documented.get('CRAFT_CRON_*')).toBe(String(errors.ExitStatus.Usage));
    documented.delete('CRAFT_CRON_*');
    expect([...documented.keys()].sort()).toEqual(Object.keys(LIBRARY_EXIT_STATUSES).sort());
    for (const [code, status] of Object.entries(LIBRARY_EXIT_STATUSES)) {
      expect(documented.get(code), code).toBe(String(status));
    }
  });

  it('maps codes the libraries really have, and every code of @craft/mongo', () => {
    const known = new Set<string>([...SCHEDULER_ERROR_CODES, ...MONGO_ERROR_CODES]);
    for (const code of Object.keys(LIBRARY_EXIT_STATUSES)) expect(known.has(code), code).toBe(true);
    for (const code of MONGO_ERROR_CODES) expect(Object.hasOwn(LIBRARY_EXIT_STATUSES, code), code).toBe(true);
  });

  it('lists each exit status', () => {
    const documented = tableRows('## Exit status');
    expect([...documented.keys()].map(Number).sort((a, b) => a - b)).toEqual(
      Object.values(errors.ExitStatus).sort((a, b) => a - b),
    );
  });
});
