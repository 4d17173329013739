// Gate of issue "Scale": every query the engine sends during a pass / claim / execute / recovery cycle is served by a
// declared index. The commands are captured with the driver's command monitoring; each filter (every branch of an
// $or) must constrain the leading key of one of the collection's declared indexes (SCHEDULE_INDEXES, RUN_INDEXES, the
// lock's `lock_key`, `_id`), or a sort must follow an index after its equality keys. The test server ignores indexes,
// so this checks shapes against definitions; on a real MongoDB (MONGODB_URI pointing at one) `explain` must also show
// an index scan for every captured read.
import { runRoundTripWorkload, sampleRun } from '@craft/scheduler/testing';
import type { CommandStartedEvent, Document } from 'mongodb';
import { expect, it } from 'vitest';
import { DistributedLock, MongoSchedulerStore, RUN_INDEXES, SCHEDULE_INDEXES } from '../src/index.js';
import { setupMongo } from './support/mongo.js';

const mongo = await setupMongo('index-shapes');

interface Query {
  collection: string;
  command: string;
  filter: Document;
  sort: Document | undefined;
}

/** The fields a filter constrains, per alternative: one set per $or branch (times the top level's). */
function alternatives(filter: Document): Set<string>[] {
  const top = new Set<string>();
  let branches: Set<string>[] = [new Set()];
  for (const [k, v] of Object.entries(filter)) {
    if (k === '$or') {
      const next: Set<string>[] = [];
      for (const b of branches)
        for (const option of v as Document[])
          for (const alt of alternatives(option)) next.push(new Set([...b, ...alt]));
      branches = next;
    } else if (k === '$and') {
      for (const part of v as Document[]) {
        const alts = alternatives(part);
        const next: Set<string>[] = [];
        for (const b of branches) for (const alt of alts) next.push(new Set([...b, ...alt]));
        branches = next;
      }
    } else if (!k.startsWith('$')) {
      // $not / $ne alone do not use an index bound usefully; everything else (equality, $in, ranges, null) does.
      const negative =
        v !== null && typeof v === 'object' && !(v instanceof Date) && ('$not' in v || '$ne' in v);
      if (!negative) top.add(k);
    }
  }
  return branches.map((b) => new Set([...top, ...b]));
}

function served(q: Query, indexes: Record<string, 1 | -1>[]): boolean {
  const alts = alternatives(q.filter);
  return alts.every((fields) =>
    indexes.some((ix) => {
      const keys = Object.keys(ix);
      if (fields.has(keys[0] as string)) return true;
      // A sort served by the index once its leading keys are fixed by equalities.
      const sortKeys = Object.keys(q.sort ?? {});
      if (sortKeys.length === 0) return false;
      let i = 0;
      while (i < keys.length && fields.has(keys[i] as string)) i++;
      return keys[i] === sortKeys[0];
    }),
  );
}

it('every query of a pass / claim / execute / recovery cycle is served by a declared index', async () => {
  const names = {
    schedulesCollection: mongo.unique('ix_schedules'),
    runsCollection: mongo.unique('ix_runs'),
    stateCollection: mongo.unique('ix_state'),
  };
  const lockCollection = mongo.unique('ix_locks');
  const queries: Query[] = [];
  let capturing = false;
  const client = await mongo.newClient({ monitorCommands: true });
  client.on('commandStarted', (e: CommandStartedEvent) => {
    if (!capturing) return;
    const c = e.command;
    const collection = String(c[e.commandName]);
    if (e.commandName === 'find')
      queries.push({ collection, command: 'find', filter: c['filter'] ?? {}, sort: c['sort'] });
    else if (e.commandName === 'findAndModify')
      queries.push({ collection, command: 'findAndModify', filter: c['query'] ?? {}, sort: c['sort'] });
    else if (e.commandName === 'update')
      for (const u of c['updates'] as Document[])
        queries.push({ collection, command: 'update', filter: u['q'] ?? {}, sort: undefined });
    else if (e.commandName === 'delete')
      for (const d of c['deletes'] as Document[])
        queries.push({ collection, command: 'delete', filter: d['q'] ?? {}, sort: undefined });
    else if (e.commandName === 'aggregate') {
      const match = (c['pipeline'] as Document[]).find((s) => '$match' in s);
      queries.push({ collection, command: 'aggregate', filter: match?.['$match'] ?? {}, sort: undefined });
    }
  });
  const db = client.db(mongo.db.databaseName);
  const store = new MongoSchedulerStore(db, names);
  const lock = new DistributedLock(db, { collectionName: lockCollection });
  await store.ensureIndexes();
  await lock.ensureIndexes();

  // Recovery: a run left `running` by a replica that died (its lease long expired), of a due schedule.
  await store.insertRun(
    sampleRun({
      jobType: 'noop',
      jobName: 'rt-000000',
      lockKey: 'job:rt-000000',
      runKey: 'dead-replica-run',
      status: 'running',
      leaseOwner: 'dead',
      leaseExpiresAt: new Date(Date.now() - 3_600_000),
      attempts: [],
      maxAttempts: 2,
    }),
  );
  const r = await runRoundTripWorkload({
    replicas: 2,
    total: 60,
    due: 20,
    clock: 'real',
    create: () => ({ store, lock }),
    onStart: () => {
      capturing = true;
    },
    onEnd: () => {
      capturing = false;
    },
  });
  expect(r.succeeded).toBe(20);
  // The recovered run ran too (its attempt 1 abandoned, attempt 2 succeeded).
  const recovered = await store.getRunByKey('dead-replica-run');
  expect(recovered?.status).toBe('succeeded');

  const declared: Record<string, Record<string, 1 | -1>[]> = {
    [names.schedulesCollection]: SCHEDULE_INDEXES.map((s) => s.key),
    [names.runsCollection]: RUN_INDEXES.map((s) => s.key),
    [lockCollection]: (await db.collection(lockCollection).indexes()).map(
      (i) => i['key'] as Record<string, 1 | -1>,
    ),
    [`${lockCollection}_tokens`]: [{ _id: 1 }],
    [names.stateCollection]: [{ _id: 1 }],
  };
  for (const ix of Object.values(declared)) ix.push({ _id: 1 });
  // What the store creates is what it declares.
  const created = (await db.collection(names.runsCollection).indexes()).map((i) => JSON.stringify(i['key']));
  for (const spec of RUN_INDEXES) expect(created).toContain(JSON.stringify(spec.key));

  expect(queries.length).toBeGreaterThan(100);
  const shapes = new Map<string, Query>();
  for (const q of queries)
    shapes.set(`${q.collection} ${q.command} ${shape(q.filter)} ${shape(q.sort ?? {})}`, q);
  const unserved = [...shapes.entries()].filter(([, q]) => !served(q, declared[q.collection] ?? []));
  expect(unserved.map(([k]) => k)).toEqual([]);
  // The shapes seen include the claim path's own queries (so the check is not vacuous).
  const seen = [...shapes.keys()].join('\n');
  expect(seen).toMatch(/ix_schedules\S* find .*is_enabled/); // listDueSchedules
  expect(seen).toMatch(/ix_schedules\S* find \{"job_name":\{"\$in"/); // the batch re-read
  expect(seen).toMatch(/ix_runs\S* find .*status/); // recovery: expired leases

  const info = await db.admin().command({ buildInfo: 1 });
  if (typeof info['gitVersion'] === 'string') {
    // A real MongoDB: the planner must pick an index for every read shape.
    for (const q of shapes.values()) {
      if (q.command !== 'find') continue;
      const plan = await db.command({
        explain: { find: q.collection, filter: q.filter, ...(q.sort ? { sort: q.sort } : {}) },
        verbosity: 'queryPlanner',
      });
      expect(JSON.stringify(plan['queryPlanner']?.['winningPlan'])).toMatch(/IXSCAN|IDHACK|EXPRESS/);
    }
  }
}, 120_000);

/** A filter's shape: its keys and operators, with values replaced. */
function shape(doc: Document): string {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v))
      return v.length > 0 && typeof v[0] === 'object' && !(v[0] instanceof Date) ? v.map(walk) : '?';
    if (v !== null && typeof v === 'object' && !(v instanceof Date))
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return '?';
  };
  return JSON.stringify(walk(doc));
}
