// The API fuzz run (schemathesis against /docs/json with a token) as part of the test suite: it creates its
// virtualenv under .cache/ (about 30 s the first time), then fuzzes for a bounded time (--max-time).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', 'schemathesis.mjs');

describe('API fuzzing (schemathesis)', () => {
  it('finds no 5xx, no response off its schema, no undocumented status, no schema-violating request accepted', () => {
    const r = spawnSync(process.execPath, [SCRIPT, '--max-examples', '25', '--max-time', '75'], {
      encoding: 'utf8',
      timeout: 280_000,
    });
    const output = `${r.stdout}\n${r.stderr}`;
    if (r.status === 3) {
      // The environment cannot run it (no python3 / venv / PyPI): say so loudly, never pass silently.
      throw new Error(`schemathesis could not run here; install python3 and python3-venv:\n${output}`);
    }
    if (r.status !== 0) process.stderr.write(output);
    expect(r.error).toBeUndefined();
    expect(output).toMatch(/Test cases:\s+\d+ generated/);
    expect(r.status).toBe(0);
  });
});
