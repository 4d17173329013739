// The README's Errors table must list exactly the codes the package defines, with class, HTTP and exit status.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as runtime from '../src/index.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const errorsSection = readme.slice(readme.indexOf('## Errors'), readme.indexOf('## Migration notes'));
const rows = [
  ...errorsSection.matchAll(/^\|\s*`(CRAFT_[A-Z_]+)`\s*\|\s*`(\w+)`\s*\|\s*(\d{3})\s*\|\s*(\d+)\s*\|/gm),
].map((m) => ({ code: m[1], className: m[2], httpStatus: Number(m[3]), exitStatus: Number(m[4]) }));

const instances: runtime.RuntimeError[] = [
  new runtime.InvalidSettingsError([{ variable: 'PORT', origin: 'PORT', source: 'env', message: 'x' }]),
  new runtime.JobsPathError('/jobs.mjs', 'x'),
];

describe('error catalog', () => {
  it('lists every code with the class that throws it and the statuses it carries', () => {
    expect(rows.map((r) => r.code).sort()).toEqual([...runtime.RUNTIME_ERROR_CODES].sort());
    expect(instances.map((e) => e.code).sort()).toEqual([...runtime.RUNTIME_ERROR_CODES].sort());
    for (const e of instances) {
      expect(rows.find((r) => r.code === e.code)).toEqual({
        code: e.code,
        className: e.name,
        httpStatus: e.httpStatus,
        exitStatus: e.exitStatus,
      });
    }
  });

  it('documents every variable in the Options table', () => {
    const options = readme.slice(readme.indexOf('## Options'), readme.indexOf('## API'));
    const documented = [...options.matchAll(/^\| (`[A-Z_]+`(?:, `[A-Z_]+`)*) \|/gm)].flatMap((m) =>
      [...(m[1] as string).matchAll(/`([A-Z_]+)`/g)].map((v) => v[1]),
    );
    expect([...documented].sort()).toEqual([...runtime.ENV_VARIABLES].sort());
  });
});
