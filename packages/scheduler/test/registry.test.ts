import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Type from 'typebox';
import { describe, expect, it } from 'vitest';
import {
  backoffDelay,
  checkParameters,
  defineJob,
  isJobDefinition,
  JobRegistry,
  loadJobModule,
} from '../src/index.js';

describe('defineJob and JobRegistry', () => {
  it('fills defaults and validates the definition', () => {
    const d = defineJob({ type: 'x', handler: async () => null });
    expect(isJobDefinition(d)).toBe(true);
    expect([d.maxAttempts, d.timeoutSeconds, d.backoff]).toEqual([
      3,
      300,
      { baseMs: 1000, maxMs: 60_000, jitter: 0.2 },
    ]);
    expect(() => defineJob({ type: 'has space', handler: async () => null })).toThrow(
      expect.objectContaining({ code: 'CRAFT_SCHEDULER_INVALID_JOB_DEFINITION' }),
    );
    expect(() => defineJob({ type: 'y', maxAttempts: 0, handler: async () => null })).toThrow(/maxAttempts/);
    expect(() => defineJob({ type: 'z', backoff: { jitter: 2 }, handler: async () => null })).toThrow(
      /jitter/,
    );
    const registry = new JobRegistry([d]);
    expect(() => registry.register(d)).toThrow(/registered twice/);
    expect(() => registry.register({ type: 'fake' } as never)).toThrow(/defineJob/);
  });

  it('checks parameters with a TypeBox schema or a plain JSON Schema', () => {
    const registry = new JobRegistry([
      defineJob({
        type: 'tb',
        parameters: Type.Object({ n: Type.Integer({ minimum: 1 }) }),
        handler: async ({ n }) => n + 1,
      }),
      defineJob({
        type: 'plain',
        parameters: { type: 'object', properties: { s: { type: 'string' } }, required: ['s'] } as never,
        handler: async () => null,
      }),
    ]);
    expect(checkParameters(registry, 'tb', { n: 2 })).toEqual([]);
    expect(checkParameters(registry, 'tb', { n: 0 })).toEqual([{ path: '/n', message: 'must be >= 1' }]);
    expect(checkParameters(registry, 'plain', {})[0]?.message).toMatch(/required/);
    expect(checkParameters(registry, 'plain', [])).toEqual([{ path: '', message: 'must be an object' }]);
    expect(() => checkParameters(registry, 'nope', {})).toThrow(
      expect.objectContaining({ code: 'CRAFT_SCHEDULER_UNKNOWN_JOB_TYPE' }),
    );
  });

  it('computes exponential backoff with bounded jitter', () => {
    const d = defineJob({
      type: 'b',
      backoff: { baseMs: 1000, maxMs: 5000, jitter: 0.5 },
      handler: async () => null,
    });
    expect([1, 2, 3, 4].map((a) => backoffDelay(d, a, () => 0))).toEqual([1000, 2000, 4000, 5000]);
    expect([1, 2, 3, 4].map((a) => backoffDelay(d, a, () => 1))).toEqual([500, 1000, 2000, 2500]);
  });
});

describe('loadJobModule', () => {
  const dir = mkdtempSync(join(tmpdir(), 'craft-jobs-'));
  const entry = pathToFileURL(join(import.meta.dirname, '..', 'src', 'index.ts')).href;

  it('loads the default-exported job definitions of a CRAFT_JOBS module', async () => {
    const file = join(dir, 'jobs.mjs');
    writeFileSync(
      file,
      `import { defineJob } from ${JSON.stringify(entry)};\nexport default [defineJob({ type: 'hello', handler: async () => 'hi' })];\n`,
    );
    const jobs = await loadJobModule(file);
    expect(jobs.map((j) => j.type)).toEqual(['hello']);
    expect(isJobDefinition(jobs[0])).toBe(true);
  });

  it('rejects modules that fail to import or export something else', async () => {
    await expect(loadJobModule(join(dir, 'missing.mjs'))).rejects.toMatchObject({
      code: 'CRAFT_SCHEDULER_INVALID_JOB_MODULE',
    });
    const bad = join(dir, 'bad.mjs');
    writeFileSync(bad, 'export default [{ type: "not-defined-with-defineJob" }];\n');
    await expect(loadJobModule(bad)).rejects.toThrow(/item 0 is not a job definition/);
    const none = join(dir, 'none.mjs');
    writeFileSync(none, 'export const x = 1;\n');
    await expect(loadJobModule(none)).rejects.toThrow(/no default-exported array/);
  });
});
