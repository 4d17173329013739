// Per-schedule control in the page (spec section 10): the form's DST, jitter and failure fields with their live
// preview (shifted, doubled and jittered runs marked), and the global pause in the header (a banner for every
// reader, the control only with jobs:write).
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
  // The API is shared by every browser test file: never leave it paused.
  await call('POST', '/jobs/resume', {});
  await browser.close();
});
afterEach(async () => {
  expect(externalRequests(tab)).toEqual([]);
  expect(
    tab.errors.filter((e) => !/Failed to load resource: the server responded with a status of 4\d\d/.test(e)),
  ).toEqual([]);
  await tab.close();
});

describe('the schedule form: time changes, jitter and failures', () => {
  it('previews shifted, doubled and jittered runs as the fields change, and saves them', async () => {
    tab = await openTab(browser);
    await signedIn(tab);
    const { page } = tab;
    await page.getByRole('link', { name: 'New schedule' }).click();
    await page.getByLabel('Name').fill('control-form');
    await page.getByLabel('Cron expression').fill('30 2 * 3 6');
    await page.getByLabel('Timezone').fill('Europe/Stockholm');
    await page.getByLabel('Job type').selectOption('noop');
    const preview = page.getByRole('complementary', { name: 'Preview' });
    await preview.getByText('DST skip').first().waitFor();
    // Shift: the 02:30 of the spring-forward Sunday runs at 03:00 instead of being skipped.
    await page.getByLabel('Spring forward (DST gap)').selectOption('shift');
    await preview
      .getByText(/DST shifted from 02:30/)
      .first()
      .waitFor();
    expect(await preview.getByText('DST skip').count()).toBe(0);
    expect(await preview.getByText(/will run at the end of it \(shifted\)/).count()).toBe(1);
    const shiftedRow = (await preview.locator('tbody tr').allTextContents()).find((t) =>
      t.includes('shifted'),
    );
    expect(shiftedRow).toMatch(/Sun \d{4}-03-\d\d 03:00/);
    // Jitter: each run gets its planned start.
    await page.getByLabel('Jitter (s)').fill('600');
    await preview.locator('[data-jitter]').first().waitFor();
    expect(await preview.locator('[data-jitter]').count()).toBe(10);
    expect(await preview.getByText(/start up to 600 s after their slot/).count()).toBe(1);
    // Both: a Sunday-in-October 02:30 runs twice on the fall-back night.
    await page.getByLabel('Cron expression').fill('30 2 * 10 6');
    await page.getByLabel('Fall back (repeated hour)').selectOption('both');
    await preview.locator('[data-dst="second"]').first().waitFor();
    expect(await preview.locator('[data-dst="first"]').count()).toBeGreaterThanOrEqual(1);
    expect(await preview.getByText(/runs twice when the clocks go back/).count()).toBe(1);
    await page.getByLabel('Pause after failures').fill('3');
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Create schedule' }).click();
    await page.getByRole('heading', { level: 1, name: /control-form/ }).waitFor();
    const stored = await call<Record<string, unknown>>('GET', '/jobs/schedules/control-form');
    expect(stored).toMatchObject({
      dst_gap: 'shift',
      dst_overlap: 'both',
      jitter_seconds: 600,
      pause_after_failures: 3,
      updated_by: 'operator@example.com',
    });
    // Its page shows the doubled run among its next runs, and the choices in its summary.
    await page.locator('[data-dst="second"]').first().waitFor();
    expect(await page.getByText('gap shift · overlap both · up to 600 s').count()).toBe(1);
  });

  it('shows the API’s refusal of a jitter longer than the gap between slots at the field', async () => {
    tab = await openTab(browser);
    await signedIn(tab, 'schedules/new');
    const { page } = tab;
    await page.getByLabel('Name').fill('control-too-jittery');
    await page.getByLabel('Cron expression').fill('*/5 * * * *');
    await page.getByLabel('Job type').selectOption('noop');
    await page.getByLabel('Jitter (s)').fill('300');
    await page.getByRole('button', { name: 'Create schedule' }).click();
    const error = page.locator('#jitter_seconds-error');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/300 s/);
    expect(await page.getByLabel('Jitter (s)').getAttribute('aria-invalid')).toBe('true');
  });
});

describe('the global pause in the header', () => {
  it('pauses with a reason (banner for everyone), and resumes; read-only tokens see the banner, not the control', async () => {
    tab = await openTab(browser);
    await signedIn(tab);
    const { page } = tab;
    await page.getByRole('button', { name: 'Pause all…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Pause all triggering?' });
    await dialog.getByLabel('Reason (shown to every operator)').fill('INC-42 payment outage');
    await dialog.getByRole('button', { name: 'Pause all' }).click();
    const banner = page.locator('.pause-banner');
    await banner.waitFor();
    expect(await banner.textContent()).toContain('INC-42 payment outage');
    expect(await banner.textContent()).toContain('operator@example.com');
    expect((await call<{ paused: boolean }>('GET', '/jobs/pause')).paused).toBe(true);
    expect(await seriousViolations(page)).toEqual([]);

    // A read-only token sees that triggering is paused, and no control.
    const reader = await openTab(browser);
    try {
      await signedIn(reader, '', token('jobs:read', 'reader@example.com'));
      await reader.page.locator('.pause-banner').waitFor();
      expect(await reader.page.getByRole('button', { name: /Pause all|Resume/ }).count()).toBe(0);
    } finally {
      await reader.close();
    }

    await page.getByRole('button', { name: 'Resume…' }).click();
    const resume = page.getByRole('dialog', { name: 'Resume triggering?' });
    await resume.getByRole('button', { name: 'Resume' }).click();
    await page.getByRole('button', { name: 'Pause all…' }).waitFor();
    expect(await page.locator('.pause-banner').count()).toBe(0);
    const state = await call<{ paused: boolean; windows: { catch_up: boolean }[] }>('GET', '/jobs/pause');
    expect(state.paused).toBe(false);
    expect(state.windows.at(-1)?.catch_up).toBe(false);
  });
});
