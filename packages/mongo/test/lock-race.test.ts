// 20 clients (separate MongoClients, i.e. separate connection pools, as separate replicas would have) race for
// one lock over many rounds, with the server's clock: exactly one wins each round, and fencing tokens strictly
// increase — across release, lease expiry (takeover) and garbage collection of the lock document.
import type { Lease } from '@craft/scheduler';
import { expect, it } from 'vitest';
import { DistributedLock } from '../src/index.js';
import { setupMongo } from './support/mongo.js';

const mongo = await setupMongo('lock-race');
const CLIENTS = 20;
const ROUNDS = Number(process.env.CRAFT_LONG) ? 200 : 40;
const SHORT_TTL_MS = 400;

it(`${CLIENTS} clients racing for one lock over ${ROUNDS} rounds: one winner per round, tokens strictly increase`, async () => {
  const collectionName = mongo.unique('locks');
  const locks: DistributedLock[] = [];
  for (let i = 0; i < CLIENTS; i++) {
    const client = await mongo.newClient({ maxPoolSize: 2 });
    locks.push(new DistributedLock(client.db(mongo.db.databaseName), { collectionName }));
  }
  await Promise.all(locks.map((l) => l.ensureIndexes()));
  const key = `job:race-${Date.now().toString(36)}`;
  const tokens: number[] = [];
  const endings = { released: 0, expired: 0, collected: 0 };

  for (let round = 0; round < ROUNDS; round++) {
    const expiring = round % 4 === 3;
    const ttl = expiring ? SHORT_TTL_MS : 30_000;
    const results = await Promise.all(locks.map((lock, i) => lock.acquire(key, `client-${i}`, ttl)));
    const winners = results.filter((r): r is Lease => r !== null);
    expect(winners).toHaveLength(1);
    const winner = winners[0] as Lease;
    expect(winner.token).toBeGreaterThan(tokens[tokens.length - 1] ?? 0);
    tokens.push(winner.token);
    // While it is held, nobody else gets it.
    expect(await locks[(round + 7) % CLIENTS]?.acquire(key, 'late-comer', ttl)).toBeNull();

    if (expiring) {
      // The winner "crashes": its lease runs out on the server's clock and the next round takes over.
      await new Promise((r) => setTimeout(r, SHORT_TTL_MS + 150));
      endings.expired++;
    } else if (round % 4 === 1) {
      // Released, then garbage-collected (what the TTL index does on MongoDB): the next round recreates it.
      expect(await locks[0]?.release(winner)).toBe(true);
      expect(await locks[1]?.collectGarbage()).toBeGreaterThanOrEqual(1);
      endings.collected++;
    } else {
      // Release through another client object: ownership is (key, owner, token), not the connection.
      expect(await locks[(round + 3) % CLIENTS]?.release(winner)).toBe(true);
      endings.released++;
    }
  }
  expect(tokens).toHaveLength(ROUNDS);
  expect(new Set(tokens).size).toBe(ROUNDS);
  expect(endings.expired).toBeGreaterThan(0);
  expect(endings.collected).toBeGreaterThan(0);
}, 600_000);
