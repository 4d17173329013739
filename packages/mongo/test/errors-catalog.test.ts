// Cross-checks the exported error codes against the README's Errors table (after fastify's
// test/internals/errors.test.js): every code is documented with its class and status, and every documented code
// exists and is produced by that class.
import { readFileSync } from 'node:fs';
import {
  MongoBulkWriteError,
  MongoNetworkError,
  MongoNetworkTimeoutError,
  MongoServerError,
  MongoServerSelectionError,
} from 'mongodb';
import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const errorsSection = readme.slice(readme.indexOf('## Errors'), readme.indexOf('## Migration notes'));
const documented = [
  ...errorsSection.matchAll(/^\|\s*`(CRAFT_MONGO_[A-Z_]+)`\s*\|\s*`(\w+)`\s*\|\s*(\d{3})\s*\|/gm),
].map((m) => ({ code: m[1] as string, className: m[2] as string, status: Number(m[3]) }));

async function sampleErrors(): Promise<api.MongoAdapterError[]> {
  const caught: api.MongoAdapterError[] = [];
  const attempts: Array<() => unknown> = [
    () => {
      throw api.toAdapterError('sample', new MongoNetworkError('connection 1 closed'));
    },
    () => {
      throw api.toAdapterError('sample', new MongoNetworkTimeoutError('connection 1 timed out'));
    },
    () => {
      throw api.toAdapterError('sample', new MongoServerError({ code: 13, errmsg: 'not authorized' }));
    },
    () => {
      throw new api.MongoIndexConflictError(
        'sample',
        'job_schedules',
        { key: { job_name: 1 }, options: { unique: true } },
        'problem',
        'fix',
      );
    },
    () => new api.DistributedLock({} as never, { ttlSeconds: -1 }),
    () => api.connectMongo('mongodb://host:notaport'),
  ];
  for (const attempt of attempts) {
    try {
      await attempt();
    } catch (error) {
      if (error instanceof api.MongoAdapterError) caught.push(error);
    }
  }
  return caught;
}

describe('errors catalog', () => {
  it('the README table lists exactly the exported codes', () => {
    expect(documented.map((d) => d.code).sort()).toEqual([...api.MONGO_ERROR_CODES].sort());
  });

  it('every documented class is exported and extends MongoAdapterError', () => {
    for (const { className } of documented) {
      const cls = (api as Record<string, unknown>)[className];
      expect(typeof cls).toBe('function');
      expect((cls as { prototype: unknown }).prototype).toBeInstanceOf(api.MongoAdapterError);
    }
  });

  it('each code comes from the class and with the status the README names', async () => {
    const errors = await sampleErrors();
    expect(errors.map((e) => e.code).sort()).toEqual([...api.MONGO_ERROR_CODES].sort());
    for (const error of errors) {
      const row = documented.find((d) => d.code === error.code);
      expect(row?.className).toBe(error.constructor.name);
      expect(error.name).toBe(error.constructor.name);
      expect(error.httpStatus).toBe(row?.status);
      expect(error.message.length).toBeGreaterThan(20);
    }
  });

  it('classifies driver failures by kind and keeps the cause', () => {
    const selection = new MongoServerSelectionError('Server selection timed out after 30000 ms', {} as never);
    const unavailable = api.toAdapterError('op', selection);
    expect(unavailable).toBeInstanceOf(api.MongoUnavailableError);
    expect(unavailable.cause).toBe(selection);
    expect(
      api.toAdapterError('op', new MongoServerError({ code: 10107, errmsg: 'not primary' })),
    ).toBeInstanceOf(api.MongoUnavailableError);
    expect(api.toAdapterError('op', new MongoServerError({ code: 50, errmsg: 'time limit' }))).toBeInstanceOf(
      api.MongoTimeoutError,
    );
    // A bulkWrite cut off by a dropped connection: the driver wraps the network error in a MongoBulkWriteError.
    const cutBulk = new MongoBulkWriteError(new MongoNetworkError('connection 1 closed'), {} as never);
    const cutOff = api.toAdapterError('op', cutBulk);
    expect(cutOff).toBeInstanceOf(api.MongoUnavailableError);
    expect(cutOff.cause).toBe(cutBulk);
    expect(
      api.toAdapterError(
        'op',
        new MongoBulkWriteError(new MongoNetworkTimeoutError('timed out'), {} as never),
      ),
    ).toBeInstanceOf(api.MongoTimeoutError);
    // A bulkWrite the server answered with write errors is still an operation failure.
    const rejected = new MongoBulkWriteError(
      { message: 'not authorized', code: 13, writeErrors: [] } as never,
      {} as never,
    );
    expect(api.toAdapterError('op', rejected)).toBeInstanceOf(api.MongoOperationError);
    const failed = api.toAdapterError('op', new MongoServerError({ code: 13, errmsg: 'not authorized' }));
    expect((failed as api.MongoOperationError).serverCode).toBe(13);
    expect(api.toAdapterError('op', failed)).toBe(failed);
    expect(api.redactUri('mongodb+srv://u:p%40ss@cluster0.example.net/db')).toBe(
      'mongodb+srv://u:****@cluster0.example.net/db',
    );
  });
});
