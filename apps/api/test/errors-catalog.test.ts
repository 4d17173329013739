// The README's Errors and Options tables are the catalog: they must list exactly what the code defines.
import { readFileSync } from 'node:fs';
import { SCHEDULER_ERROR_CODES } from '@craft/scheduler';
import { describe, expect, it } from 'vitest';
import { API_ERROR_CODES, ENV_VARIABLES, SCHEDULER_ERROR_STATUS, statusForCode } from '../src/index.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

function section(title: string): string {
  const start = readme.indexOf(`\n## ${title}\n`);
  expect(start).toBeGreaterThan(0);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

function tableRows(text: string): string[][] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('| `'))
    .map((l) =>
      l
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim()),
    );
}

describe('errors catalog', () => {
  const rows = tableRows(section('Errors')).map(([code, status]) => ({
    code: (code ?? '').replace(/`/g, ''),
    status: status ?? '',
  }));

  it('lists every code the API defines or answers with, exactly once', () => {
    const documented = rows.map((r) => r.code);
    expect(new Set(documented).size).toBe(documented.length);
    expect([...documented].sort()).toEqual(
      [...API_ERROR_CODES, ...Object.keys(SCHEDULER_ERROR_STATUS)].sort(),
    );
  });

  it('gives each code the status the error handler answers with', () => {
    for (const { code, status } of rows) {
      const expected = statusForCode(code);
      expect(`${code} ${status}`).toBe(`${code} ${expected === undefined ? '—' : String(expected)}`);
    }
  });

  it('maps only codes @craft/scheduler defines, and no validation code to a 5xx', () => {
    for (const [code, status] of Object.entries(SCHEDULER_ERROR_STATUS)) {
      expect(SCHEDULER_ERROR_CODES).toContain(code);
      expect(status).toBeLessThan(code === 'CRAFT_SCHEDULER_STOPPED' ? 600 : 500);
    }
  });
});

describe('options catalog', () => {
  it('documents every environment variable the service reads', () => {
    const documented = tableRows(section('Options')).flatMap(([names]) =>
      [...(names ?? '').matchAll(/`([A-Z_]+)`/g)].map((m) => m[1]),
    );
    expect([...documented].sort()).toEqual([...ENV_VARIABLES].sort());
  });
});
