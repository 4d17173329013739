import { describe, expect, it } from 'vitest';
import {
  createSchedule,
  type JobRunRecord,
  type JobScheduleRecord,
  RUN_FIELD_TO_RECORD,
  recordDatesToJson,
  runFromRecord,
  runToRecord,
  SCHEDULE_FIELD_TO_RECORD,
  scheduleFromRecord,
  schedulePatchToRecord,
  scheduleToRecord,
} from '../src/index.js';
import { sampleRun } from '../src/testing/index.js';

describe('schedule records (spec section 1 field names)', () => {
  it('maps a document with only the seed fields to a valid schedule with defaults', () => {
    const seed = {
      job_name: 'nightly-cleanup',
      description: 'Delete expired tokens every night at 03:00',
      job_type: 'cleanup_expired_tokens',
      cron_expression: '0 3 * * *',
      is_enabled: true,
      parameters: {},
      max_attempts: 2,
      timeout_seconds: 300,
      chain: [],
      last_run_at: null,
      last_run_status: null,
      _id: 'ignored',
    } as JobScheduleRecord;
    expect(scheduleFromRecord(seed)).toEqual({
      jobName: 'nightly-cleanup',
      description: 'Delete expired tokens every night at 03:00',
      cronExpression: '0 3 * * *',
      isEnabled: true,
      jobType: 'cleanup_expired_tokens',
      parameters: {},
      maxAttempts: 2,
      timeoutSeconds: 300,
      chain: [],
      timezone: null,
      missedRunPolicy: 'once',
      catchUpWindowSeconds: null,
      maxCatchUpRuns: 10,
      overlapPolicy: 'defer',
      lastRunAt: null,
      lastRunStatus: null,
      nextRunAt: null,
      createdAt: null,
      updatedAt: null,
      // A document another program wrote has no version: 0, what If-Match "0" matches.
      version: 0,
      creationKey: null,
      dstGap: 'skip',
      dstOverlap: 'first',
      jitterSeconds: 0,
      nextDueAt: null,
      pauseAfterFailures: null,
      consecutiveFailures: 0,
      pausedReason: null,
      pausedAt: null,
      pausedBy: null,
      updatedBy: null,
      managedBy: null,
    });
  });

  it('uses exactly the spec field names and round-trips through records and JSON', () => {
    const s = createSchedule({
      jobName: 'x',
      cronExpression: '*/15 * * * *',
      jobType: 't',
      timezone: 'Australia/Lord_Howe',
      nextRunAt: new Date('2027-03-28T01:00:00.000Z'),
      lastRunAt: new Date('2027-03-28T00:45:00.000Z'),
      lastRunStatus: 'succeeded',
    });
    const record = scheduleToRecord(s);
    expect(Object.keys(record).sort()).toEqual(
      [
        'job_name',
        'description',
        'cron_expression',
        'is_enabled',
        'job_type',
        'parameters',
        'max_attempts',
        'timeout_seconds',
        'chain',
        'timezone',
        'missed_run_policy',
        'catch_up_window_seconds',
        'max_catch_up_runs',
        'overlap_policy',
        'last_run_at',
        'last_run_status',
        'next_run_at',
        'created_at',
        'updated_at',
        'version',
        'creation_key',
        // spec section 10
        'dst_gap',
        'dst_overlap',
        'jitter_seconds',
        'next_due_at',
        'pause_after_failures',
        'consecutive_failures',
        'paused_reason',
        'paused_at',
        'paused_by',
        'updated_by',
        'managed_by',
      ].sort(),
    );
    expect(record.next_run_at).toBeInstanceOf(Date);
    expect(scheduleFromRecord(record)).toEqual(s);
    const json = JSON.parse(JSON.stringify(recordDatesToJson(record)));
    expect(json.next_run_at).toBe('2027-03-28T01:00:00.000Z');
    expect(scheduleFromRecord(json)).toEqual(s);
    expect(Object.keys(SCHEDULE_FIELD_TO_RECORD)).toHaveLength(32);
  });

  it('maps a patch to only the given record fields', () => {
    expect(schedulePatchToRecord({ isEnabled: false, nextRunAt: null })).toEqual({
      is_enabled: false,
      next_run_at: null,
    });
  });
});

describe('run records', () => {
  it('uses snake_case names and round-trips through records and JSON', () => {
    const run = sampleRun({
      jobName: 'j',
      slot: new Date('2030-01-01T00:00:00.000Z'),
      parentRunId: 'p',
      attempts: [
        {
          attempt: 1,
          status: 'failed',
          startedAt: new Date('2030-01-01T00:00:01.000Z'),
          finishedAt: new Date('2030-01-01T00:00:02.000Z'),
          error: { name: 'Error', message: 'x' },
          replicaId: 'r',
        },
      ],
    });
    const record = runToRecord(run);
    for (const key of [
      'id',
      'job_type',
      'job_name',
      'slot',
      'trigger',
      'parameters',
      'status',
      'attempts',
      'started_at',
      'finished_at',
      'result',
      'parent_run_id',
      'replica_id',
      'run_key',
    ]) {
      expect(Object.keys(record)).toContain(key);
    }
    expect(Object.values(RUN_FIELD_TO_RECORD).sort()).toEqual(Object.keys(record).sort());
    expect(record.attempts[0]?.started_at).toBeInstanceOf(Date);
    expect(runFromRecord(record)).toEqual(run);
    const json = JSON.parse(JSON.stringify(recordDatesToJson(record))) as JobRunRecord;
    expect(runFromRecord(json)).toEqual(run);
  });
});
