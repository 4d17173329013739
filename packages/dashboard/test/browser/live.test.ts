// Live updates from the event stream (GET /jobs/events, read with streaming fetch and the bearer token): a run
// started outside the page appears and changes status without a reload, on a schedule's page and on the runs page;
// when the stream fails again and again the page falls back to polling, and says so. The CSP holds throughout
// (connect-src 'self': the stream is a same-origin fetch).
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { call, connect, externalRequests, openTab, signedIn, type Tab } from './support.js';

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
  // Includes every Content-Security-Policy violation the page reports (support.ts).
  expect(tab.errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  await tab.close();
});

/** Marks the page, so a later check proves it was not reloaded (a reload starts a new window). */
async function mark(page: Page): Promise<void> {
  await page.evaluate(() => {
    (window as unknown as { __notReloaded: boolean }).__notReloaded = true;
  });
}
async function notReloaded(page: Page): Promise<boolean> {
  return page.evaluate(() => (window as unknown as { __notReloaded?: boolean }).__notReloaded === true);
}

describe('live updates', () => {
  it('a run started elsewhere appears on the schedule’s page and goes running → succeeded without reload', async () => {
    await call('POST', '/jobs/schedules', {
      job_name: 'live-slow',
      cron_expression: '0 4 * * *',
      job_type: 'slow_step',
      parameters: { seconds: 3 },
    });
    tab = await openTab(browser);
    const streams: string[] = [];
    tab.page.on('request', (r) => {
      if (r.url().includes('/jobs/events')) streams.push(r.headers()['authorization'] ?? '');
    });
    await signedIn(tab, 'schedules/live-slow');
    const { page } = tab;
    await page.getByRole('heading', { level: 1, name: /live-slow/ }).waitFor();
    await page.locator('.live-mode', { hasText: 'Live' }).waitFor();
    await mark(page);
    await page.getByText('No runs yet.').waitFor();

    // Started by someone else (another tab, the CLI, a replica): the page is not involved.
    const run = await call<{ id: string }>('POST', '/jobs/schedules/live-slow/run');
    const link = page.getByRole('link', { name: `Run ${run.id}: running` });
    await link.waitFor({ timeout: 4000 });
    await page.getByRole('link', { name: `Run ${run.id}: succeeded` }).waitFor({ timeout: 8000 });
    expect(await notReloaded(page)).toBe(true);
    // The stream was read with the bearer token (EventSource could not have sent it).
    expect(streams.length).toBeGreaterThan(0);
    expect(streams.every((h) => h.startsWith('Bearer '))).toBe(true);
  });

  it('the runs page shows a new run and its status changes as they happen', async () => {
    tab = await openTab(browser);
    await signedIn(tab, 'runs');
    const { page } = tab;
    await page.locator('.live-mode', { hasText: 'Live' }).waitFor();
    await mark(page);
    const run = await call<{ id: string }>('POST', '/jobs/run/slow_step', { parameters: { seconds: 2 } });
    await page.getByRole('link', { name: `Run ${run.id}: running` }).waitFor({ timeout: 4000 });
    await page.getByRole('link', { name: `Run ${run.id}: succeeded` }).waitFor({ timeout: 7000 });
    expect(await notReloaded(page)).toBe(true);
  });

  it('falls back to polling when the stream keeps failing, says so, and still shows changes', async () => {
    tab = await openTab(browser);
    const { page } = tab;
    let attempts = 0;
    // The stream is unreachable (a proxy that drops it); every other request goes through.
    // The stream is broken on the way (a proxy): the connection is reset, or an empty answer ends at once.
    await page.route('**/jobs/events*', (route) => {
      attempts++;
      return attempts % 2
        ? route.abort('connectionreset')
        : route.fulfill({ status: 200, contentType: 'text/event-stream', body: '' });
    });
    await signedIn(tab, 'runs');
    await page.locator('.live-mode', { hasText: 'Auto-refresh' }).waitFor({ timeout: 15_000 });
    expect(attempts).toBeGreaterThanOrEqual(3);
    await mark(page);
    const run = await call<{ id: string }>('POST', '/jobs/run/noop');
    await page.getByRole('link', { name: `Run ${run.id}: succeeded` }).waitFor({ timeout: 8000 });
    expect(await notReloaded(page)).toBe(true);
  });
});
