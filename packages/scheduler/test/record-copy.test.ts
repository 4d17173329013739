import { describe, expect, it } from 'vitest';
import {
  ATTEMPT_OBJECT_FIELDS,
  copyRun,
  copySchedule,
  RUN_OBJECT_FIELDS,
  SCHEDULE_OBJECT_FIELDS,
} from '../src/memory/record-copy.js';
import { createSchedule, type JobRun, type JobSchedule } from '../src/model.js';

const at = (iso: string) => new Date(iso);

// Every field that can hold an object holds one here, nested where the type allows.
const schedule: JobSchedule = {
  ...createSchedule({ jobName: 'copy-me', cronExpression: '*/5 * * * *', jobType: 'noop' }),
  parameters: { url: 'https://example.test', headers: { a: ['b'] }, when: at('2026-01-01T00:00:00Z') },
  chain: ['next-one', 'next-two'],
  lastRunAt: at('2026-01-01T00:00:00Z'),
  nextRunAt: at('2026-01-01T00:05:00Z'),
  createdAt: at('2025-12-31T00:00:00Z'),
  updatedAt: at('2025-12-31T01:00:00Z'),
  nextDueAt: at('2026-01-01T00:05:07Z'),
  pausedAt: at('2025-12-31T02:00:00Z'),
};

const run: JobRun = {
  id: 'r1',
  runKey: 'copy-me@2026-01-01T00:05:00.000Z',
  jobType: 'noop',
  jobName: 'copy-me',
  trigger: 'schedule',
  status: 'failed',
  maxAttempts: 1,
  timeoutSeconds: 60,
  parentRunId: null,
  replicaId: 'a',
  lockKey: 'job:copy-me',
  leaseOwner: null,
  fencingToken: 3,
  cancelRequestedBy: 'ops',
  dst: 'first',
  wallTime: '2026-01-01T01:05',
  slot: at('2026-01-01T00:05:00Z'),
  parameters: { nested: { list: [1, { deep: true }] } },
  attempts: [
    {
      attempt: 1,
      status: 'failed',
      startedAt: at('2026-01-01T00:05:01Z'),
      finishedAt: at('2026-01-01T00:05:02Z'),
      error: { name: 'Error', message: 'boom' },
      replicaId: 'a',
    },
  ],
  startedAt: at('2026-01-01T00:05:01Z'),
  finishedAt: at('2026-01-01T00:05:02Z'),
  result: { rows: [{ id: 1 }] },
  error: { name: 'Error', message: 'boom', code: 'X' },
  leaseExpiresAt: at('2026-01-01T00:06:00Z'),
  cancelRequestedAt: at('2026-01-01T00:05:30Z'),
  createdAt: at('2026-01-01T00:05:00Z'),
  updatedAt: at('2026-01-01T00:05:02Z'),
  dueAt: at('2026-01-01T00:05:07Z'),
};

/** Paths of every object reachable from `value` (the value itself included). */
function objectsOf(value: unknown, path = '$', out = new Map<object, string>()): Map<object, string> {
  if (value === null || typeof value !== 'object') return out;
  out.set(value, path);
  if (value instanceof Date) return out;
  for (const [k, v] of Object.entries(value)) objectsOf(v, `${path}.${k}`, out);
  return out;
}

/** The paths at which `copy` reuses an object of `original`. */
function shared(original: unknown, copy: unknown): string[] {
  const mine = objectsOf(original);
  return [...objectsOf(copy)].filter(([o]) => mine.has(o)).map(([, path]) => path);
}

describe('the memory store copies of its records', () => {
  it('a schedule copy is equal and shares no object (every object field listed is populated here)', () => {
    for (const f of SCHEDULE_OBJECT_FIELDS) expect(schedule[f], f).not.toBeNull();
    const copy = copySchedule(schedule);
    expect(copy).toEqual(schedule);
    expect(Object.keys(copy)).toEqual(Object.keys(schedule));
    expect(shared(schedule, copy)).toEqual([]);
  });

  it('a run copy is equal and shares no object, its attempts included', () => {
    for (const f of RUN_OBJECT_FIELDS) expect(run[f], f).not.toBeNull();
    for (const f of ATTEMPT_OBJECT_FIELDS) expect(run.attempts[0]?.[f], f).not.toBeNull();
    const copy = copyRun(run);
    expect(copy).toEqual(run);
    expect(Object.keys(copy)).toEqual(Object.keys(run));
    expect(shared(run, copy)).toEqual([]);
  });

  it('null fields stay null and an optional field a run lacks stays absent', () => {
    const bare = createSchedule({ jobName: 'plain', cronExpression: '0 * * * *', jobType: 'noop' });
    expect(copySchedule(bare)).toEqual(bare);
    const { dueAt: _dueAt, ...withoutDueAt } = run;
    const copy = copyRun(withoutDueAt as JobRun);
    expect('dueAt' in copy).toBe(false);
    expect(shared(withoutDueAt, copy)).toEqual([]);
  });

  it('changing a copy leaves the original as it was', () => {
    const copy = copySchedule(schedule);
    copy.nextRunAt?.setTime(0);
    (copy.parameters['headers'] as { a: string[] }).a.push('c');
    copy.chain.push('x');
    expect(schedule.nextRunAt?.toISOString()).toBe('2026-01-01T00:05:00.000Z');
    expect(schedule.parameters['headers']).toEqual({ a: ['b'] });
    expect(schedule.chain).toEqual(['next-one', 'next-two']);
  });
});
