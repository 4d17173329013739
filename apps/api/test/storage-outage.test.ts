// A storage outage is the server's problem and temporary: the route answers 503 with the storage error's code
// (the status the error carries), not a 500. Through the real error handler, with app.inject().
import { MongoTimeoutError, MongoUnavailableError } from '@craft/mongo';
import { afterEach, describe, expect, it } from 'vitest';
import { bearer, makeApp, type TestApp } from './helpers.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.app.close();
  t = undefined;
});

describe('a storage outage', () => {
  it('answers 503 CRAFT_MONGO_UNAVAILABLE (the first wave answered 500) and says to retry', async () => {
    t = await makeApp();
    t.store.listSchedules = async () => {
      throw new MongoUnavailableError(
        'MongoSchedulerStore.listSchedules',
        new Error('connection 3 to 10.1.2.3:27017 closed'),
      );
    };
    const res = await t.app.inject({ method: 'GET', url: '/jobs/schedules', headers: bearer() });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({
      statusCode: 503,
      code: 'CRAFT_MONGO_UNAVAILABLE',
      error: 'Service Unavailable',
    });
    expect(res.json().message).toMatch(/retry later.*request id/);
    expect(res.body).not.toContain('10.1.2.3');
  });

  it('answers 504 CRAFT_MONGO_TIMEOUT for a storage timeout', async () => {
    t = await makeApp();
    t.store.getSchedule = async () => {
      throw new MongoTimeoutError(
        'MongoSchedulerStore.getSchedule',
        new Error('operation exceeded time limit'),
      );
    };
    const res = await t.app.inject({ method: 'GET', url: '/jobs/schedules/any', headers: bearer() });
    expect(res.statusCode).toBe(504);
    expect(res.json()).toMatchObject({ code: 'CRAFT_MONGO_TIMEOUT' });
  });
});
