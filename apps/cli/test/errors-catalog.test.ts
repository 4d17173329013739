import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as errors from '../src/lib/errors.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

function section(title: string): string {
  const start = readme.indexOf(`\n## ${title}\n`);
  const end = readme.indexOf('\n## ', start + 1);
  expect(start, `README has a "## ${title}" section`).toBeGreaterThan(-1);
  return readme.slice(start, end === -1 ? undefined : end);
}

/** First and second cells of each table row of a README section, keyed by the first. */
function tableRows(title: string): Map<string, string> {
  const rows = new Map<string, string>();
  for (const match of section(title).matchAll(/^\|\s*`([^`]+)`\s*\|\s*([^|]+?)\s*\|/gm)) {
    rows.set(match[1] as string, (match[2] as string).trim());
  }
  return rows;
}

describe('the README catalogs every error code and exit status', () => {
  it('lists each exported code, with its exit status, and nothing else', () => {
    const documented = tableRows('Errors');
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

  it('lists each exit status', () => {
    const documented = tableRows('Exit status');
    expect([...documented.keys()].map(Number).sort((a, b) => a - b)).toEqual(
      Object.values(errors.ExitStatus).sort((a, b) => a - b),
    );
  });
});
