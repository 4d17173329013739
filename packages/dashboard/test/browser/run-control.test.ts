// Per-schedule control through the page (spec section 10): cancel a running run from its page, backfill a range of
// a schedule with a live count of its slots and the answer listed; both only for tokens with `jobs:run`.
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  connect,
  externalRequests,
  openTab,
  seriousViolations,
  signedIn,
  type Tab,
  token,
} from './support.js';

let browser: Browser;
let tab: Tab;
beforeAll(async () => {
  browser = await connect();
});
afterAll(async () => {
  await browser.close();
});
afterEach(async () => {
  expect(externalRequests(tab)).toEqual([]);
  expect(
    tab.errors.filter((e) => !/Failed to load resource: the server responded with a status of 4\d\d/.test(e)),
  ).toEqual([]);
  await tab.close();
});

interface RunJson {
  id: string;
  status: string;
  trigger: string;
  slot: string | null;
  cancel_requested_by: string | null;
}

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('cancelling a run', () => {
  it('a running run has a Cancel button; confirming it stops the run, which the page then shows cancelled', async () => {
    await call('POST', '/jobs/schedules', {
      job_name: 'long-worker',
      cron_expression: '0 4 * * *',
      job_type: 'long_task',
      is_enabled: false,
    });
    const run = await call<RunJson>('POST', '/jobs/schedules/long-worker/run');
    await until(
      () => call<RunJson>('GET', `/jobs/runs/${run.id}`),
      (r) => r.status === 'running',
    );
    tab = await openTab(browser);
    await signedIn(tab, `runs/${run.id}`);
    const { page } = tab;
    await page.getByRole('button', { name: 'Cancel run…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Cancel this run?' });
    await dialog.getByText('It is not retried and its chain does not run.').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Cancel run' }).click();
    // This API process runs it: the cancel reaches the handler at once, and the page refreshes to the final state.
    const final = await until(
      () => call<RunJson>('GET', `/jobs/runs/${run.id}`),
      (r) => r.status === 'cancelled',
    );
    expect(final).toMatchObject({ status: 'cancelled', cancel_requested_by: 'operator@example.com' });
    await page.getByRole('heading', { level: 1, name: /Cancelled/ }).waitFor({ timeout: 15_000 });
    expect(await page.getByRole('button', { name: 'Cancel run…' }).count()).toBe(0);
  });

  it('shows no Cancel button to a token without jobs:run, nor on a finished run', async () => {
    const run = await call<RunJson>('POST', '/jobs/schedules/long-worker/run');
    tab = await openTab(browser);
    await signedIn(tab, `runs/${run.id}`, token('jobs:read jobs:write'));
    await tab.page.getByRole('heading', { level: 1 }).waitFor();
    await tab.page.getByText('Record').first().waitFor();
    expect(await tab.page.getByRole('button', { name: 'Cancel run…' }).count()).toBe(0);
    await call('POST', `/jobs/runs/${run.id}/cancel`);
    const done = await call<RunJson>('POST', '/jobs/run/noop?wait=true');
    await tab.page.goto(tab.page.url().replace(/runs\/[^#?]+/, `runs/${done.id}`));
    await tab.page.getByRole('heading', { level: 1, name: /Succeeded/ }).waitFor();
    expect(await tab.page.getByRole('button', { name: 'Cancel run…' }).count()).toBe(0);
  });
});

describe('backfilling a schedule', () => {
  it('counts the slots of the range as it is typed, runs them, and lists what it created and what was recorded', async () => {
    await call('POST', '/jobs/schedules', {
      job_name: 'hourly-sync',
      cron_expression: '0 * * * *',
      job_type: 'noop',
      timezone: 'UTC',
      is_enabled: false,
    });
    // One slot of the range already has a record: reported, not run again.
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000;
    const from = new Date(hour - 6 * 3_600_000);
    const to = new Date(hour - 3_600_000);
    await call('POST', '/jobs/schedules/hourly-sync/backfill?wait=true', {
      from: from.toISOString(),
      to: new Date(from.getTime() + 3_600_000).toISOString(),
    });
    tab = await openTab(browser);
    await signedIn(tab, 'schedules/hourly-sync');
    const { page } = tab;
    await page.getByRole('button', { name: 'Backfill…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Backfill hourly-sync' });
    // The viewer's wall time (the tests' browser runs in Europe/Stockholm): datetime-local values.
    const local = (t: Date) =>
      new Intl.DateTimeFormat('sv-SE', {
        timeZone: 'Europe/Stockholm',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
      })
        .format(t)
        .replace(' ', 'T');
    await dialog.getByLabel('From').fill(local(from));
    await dialog.getByLabel('To').fill(local(to));
    await dialog.getByText('5 slots in this range').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Run 5 slots' }).click();
    const list = dialog.getByRole('list', { name: 'Backfill runs' });
    await list.waitFor();
    await dialog.getByText('5 slots in the range: 4 started, 1 already recorded (not run again).').waitFor();
    expect(await list.getByRole('listitem').count()).toBe(5);
    const runs = await until(
      () => call<{ items: RunJson[] }>('GET', '/jobs/runs?job_name=hourly-sync&trigger=backfill&limit=50'),
      (r) => r.items.filter((x) => x.status === 'succeeded').length === 5,
    );
    expect(new Set(runs.items.map((r) => r.slot)).size).toBe(5);
    await dialog.getByRole('button', { name: 'Done' }).click();
  });

  it('shows the API’s refusal (a range that ends in the future) and records nothing', async () => {
    tab = await openTab(browser);
    await signedIn(tab, 'schedules/hourly-sync');
    const { page } = tab;
    const before = (await call<{ total: number }>('GET', '/jobs/runs?job_name=hourly-sync')).total;
    await page.getByRole('button', { name: 'Backfill…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Backfill hourly-sync' });
    const later = new Date(Date.now() + 3 * 3_600_000);
    const p = (n: number) => String(n).padStart(2, '0');
    await dialog
      .getByLabel('To')
      .fill(
        `${later.getFullYear()}-${p(later.getMonth() + 1)}-${p(later.getDate())}T${p(later.getHours())}:00`,
      );
    await dialog.getByRole('button', { name: /^Run / }).click();
    await dialog.getByText(/backfill option "to" is .* expected an instant not after now/).waitFor();
    expect((await call<{ total: number }>('GET', '/jobs/runs?job_name=hourly-sync')).total).toBe(before);
  });

  it('shows no Backfill button to a token without jobs:run', async () => {
    tab = await openTab(browser);
    await signedIn(tab, 'schedules/hourly-sync', token('jobs:read jobs:write'));
    await tab.page
      .getByRole('button', { name: 'Edit' })
      .or(tab.page.getByRole('link', { name: 'Edit' }))
      .first()
      .waitFor();
    expect(await tab.page.getByRole('button', { name: 'Backfill…' }).count()).toBe(0);
  });
});
