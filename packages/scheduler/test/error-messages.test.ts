// Messages of JobModuleError (they carry the cause) and InvalidParametersError (a neutral hint, callers add theirs).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Type from 'typebox';
import { describe, expect, it } from 'vitest';
import {
  defineJob,
  FakeClock,
  InvalidParametersError,
  JobModuleError,
  JobRegistry,
  JobScheduler,
  loadJobModule,
  MemoryLock,
  MemoryStore,
} from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'craft-messages-'));

async function failure(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error as Error,
  );
}

describe('JobModuleError', () => {
  it("names the cause's class and message for a module that does not parse", async () => {
    const file = join(dir, 'syntax.mjs');
    writeFileSync(file, 'export default [ defineJob( ;\n');
    const error = await failure(loadJobModule(file));
    expect(error).toBeInstanceOf(JobModuleError);
    // Node throws a SyntaxError here; under vitest its module loader throws its own parse error first.
    const cause = error.cause as Error;
    expect(cause).toBeInstanceOf(Error);
    expect(cause.message.length).toBeGreaterThan(0);
    expect(error.message).toContain(
      `loadJobModule: ${JSON.stringify(file)} could not be imported: ${cause.name}: ${cause.message}`,
    );
    expect(error.message).toMatch(/ The module must default-export an array of defineJob\(\) results\.$/);
  });

  it('puts a SyntaxError on the same line', () => {
    let syntax: unknown;
    try {
      new Function('export default [ defineJob( ;');
    } catch (e) {
      syntax = e;
    }
    expect(syntax).toBeInstanceOf(SyntaxError);
    const error = new JobModuleError('/srv/jobs.mjs', 'could not be imported', syntax);
    expect(error.message).toBe(
      `loadJobModule: "/srv/jobs.mjs" could not be imported: SyntaxError: ${(syntax as Error).message}. ` +
        'The module must default-export an array of defineJob() results.',
    );
    expect(error.cause).toBe(syntax);
  });

  it('names a missing package the module imports, and an error its top level throws', async () => {
    const missing = join(dir, 'missing-dep.mjs');
    writeFileSync(missing, "import 'craft-no-such-package-anywhere';\nexport default [];\n");
    const a = await failure(loadJobModule(missing));
    expect(a.message).toContain(
      "could not be imported: Error: Cannot find package 'craft-no-such-package-anywhere'",
    );
    const throws = join(dir, 'throws.mjs');
    writeFileSync(throws, "throw new RangeError('JOBS_REGION is not set.');\n");
    const b = await failure(loadJobModule(throws));
    // The cause's own final period is kept, not doubled.
    expect(b.message).toBe(
      `loadJobModule: ${JSON.stringify(throws)} could not be imported: RangeError: JOBS_REGION is not set. ` +
        'The module must default-export an array of defineJob() results.',
    );
  });

  it('has no cause text when nothing failed to import', () => {
    expect(new JobModuleError('jobs.mjs', 'has no default-exported array').message).toBe(
      'loadJobModule: "jobs.mjs" has no default-exported array. ' +
        'The module must default-export an array of defineJob() results.',
    );
    expect(new JobModuleError('jobs.mjs', 'could not be imported', 'boom').message).toBe(
      'loadJobModule: "jobs.mjs" could not be imported: boom. ' +
        'The module must default-export an array of defineJob() results.',
    );
  });
});

describe('InvalidParametersError', () => {
  it('ends with a neutral hint, naming no API', () => {
    const e = new InvalidParametersError('send_report', [{ path: '/day', message: 'must be string' }]);
    expect(e.message).toBe(
      'JobRegistry: parameters for job type "send_report" are invalid: /day must be string. ' +
        "Fix them to match the job type's parameter schema.",
    );
    expect(e.message).not.toMatch(/GET/);
  });

  it("appends the caller's hint", () => {
    const e = new InvalidParametersError('send_report', [{ path: '', message: 'must be object' }], {
      hint: 'GET /jobs/types shows it.',
    });
    expect(e.message).toBe(
      'JobRegistry: parameters for job type "send_report" are invalid: / must be object. ' +
        "Fix them to match the job type's parameter schema. GET /jobs/types shows it.",
    );
  });

  it('is what runJob throws for bad parameters (the engine adds no API hint)', async () => {
    const clock = new FakeClock(0);
    const scheduler = new JobScheduler({
      store: new MemoryStore({ clock }),
      lock: new MemoryLock({ clock }),
      clock,
      registry: new JobRegistry([
        defineJob({
          type: 'typed',
          parameters: Type.Object({ n: Type.Integer() }),
          handler: async () => null,
        }),
      ]),
    });
    const error = await failure(scheduler.runJob('typed', { n: 'x' }));
    expect(error).toBeInstanceOf(InvalidParametersError);
    expect(error.message).toMatch(
      /^JobRegistry: parameters for job type "typed" are invalid: \/n .+\. Fix them/,
    );
    expect(error.message.endsWith("Fix them to match the job type's parameter schema.")).toBe(true);
  });
});
