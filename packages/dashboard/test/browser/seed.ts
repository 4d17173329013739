// A small, realistic set of schedules across zones (half-hour and 45-minute offsets, DST gaps on both
// hemispheres) with run history, failures included: what the screenshots show.
import { call } from './support.js';

interface Seeded {
  failedRunId: string;
}

const SCHEDULES = [
  {
    job_name: 'morning-report',
    description: 'Daily KPI report to the ops team, weekdays 09:00 Stockholm time',
    cron_expression: '0 9 * * 0-4',
    job_type: 'send_report',
    timezone: 'Europe/Stockholm',
    parameters: { recipient: 'ops@example.com' },
  },
  {
    job_name: 'nightly-cleanup',
    description: 'Deletes finished runs older than 30 days',
    cron_expression: '0 3 * * *',
    job_type: 'cleanup_run_history',
    parameters: { older_than_days: 30 },
  },
  {
    job_name: 'orders-import',
    description: 'Pulls partner orders every 15 minutes',
    cron_expression: '*/15 * * * *',
    job_type: 'import_orders',
    timezone: 'UTC',
    parameters: { source: 'acme' },
    chain: ['morning-report'],
  },
  {
    job_name: 'march-sundays',
    description: 'DST demo: 02:30 on Sundays in March; the last one falls in the spring-forward gap',
    cron_expression: '30 2 * 3 6',
    job_type: 'noop',
    timezone: 'Europe/Stockholm',
  },
  {
    job_name: 'sydney-backup',
    description: 'Nightly backup, Sydney time',
    cron_expression: '30 2 * * *',
    job_type: 'noop',
    timezone: 'Australia/Sydney',
  },
  {
    job_name: 'lord-howe-sync',
    description: 'A zone whose DST shift is 30 minutes',
    cron_expression: '15 2 * * *',
    job_type: 'noop',
    timezone: 'Australia/Lord_Howe',
  },
  {
    job_name: 'kathmandu-digest',
    description: 'Morning digest (UTC+05:45)',
    cron_expression: '45 8 * * *',
    job_type: 'send_report',
    timezone: 'Asia/Kathmandu',
    parameters: { recipient: 'np-team@example.com', format: 'csv' },
  },
  {
    job_name: 'ny-invoices',
    description: 'Monthly invoices at midnight New York time',
    cron_expression: '0 0 1 * *',
    job_type: 'send_report',
    timezone: 'America/New_York',
    parameters: { recipient: 'billing@example.com', format: 'csv' },
  },
  {
    job_name: 'legacy-export',
    description: 'Weekly export for the old warehouse',
    cron_expression: '0 4 * * 6',
    job_type: 'noop',
    is_enabled: false,
  },
];

/** Creates the schedules and a history of runs (some failing) on the API at `base`. */
export async function seed(base: string, tok: string): Promise<Seeded> {
  const post = <T>(path: string, body?: unknown) => call<T>('POST', path, body, tok, base);
  for (const s of SCHEDULES) await post('/jobs/schedules', s);
  let failedRunId = '';
  for (let i = 0; i < 16; i++) {
    const fail = i % 5 === 3;
    await call('PATCH', '/jobs/schedules/orders-import', { parameters: { source: 'acme', fail } }, tok, base);
    const run = await post<{ id: string; status: string }>('/jobs/schedules/orders-import/run?wait=true');
    if (run.status === 'failed') failedRunId = run.id;
  }
  await call('PATCH', '/jobs/schedules/orders-import', { parameters: { source: 'acme' } }, tok, base);
  for (let i = 0; i < 4; i++) await post('/jobs/schedules/morning-report/run?wait=true');
  await post('/jobs/schedules/nightly-cleanup/run?wait=true');
  await post('/jobs/schedules/march-sundays/run?wait=true');
  return { failedRunId };
}
