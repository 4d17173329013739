// 10,000 schedules: the list asks the API for one page at a time (cursor paging, 50 rows), so the page stays as
// light as with ten; search goes to the API (q), not through rows in the browser.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiProcess, SECRET, startApi } from './processes.js';
import { call, connect, externalRequests, openTab, signedIn, token } from './support.js';

const N = 10_000;
let browser: Browser;
let api: ApiProcess;
beforeAll(async () => {
  browser = await connect();
  api = await startApi({ JWT_SECRET: SECRET, SCHEDULER_ENABLED: 'false' });
  const tok = token();
  const names = Array.from({ length: N }, (_, i) => `bulk-${String(i).padStart(5, '0')}`);
  // 8 requests in flight: the real API creates all 10,000 in a few seconds.
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < names.length) {
        const name = names[next++] as string;
        const i = Number(name.slice(5));
        await call(
          'POST',
          '/jobs/schedules',
          {
            job_name: name,
            description: i % 1000 === 0 ? `milestone ${i}` : null,
            cron_expression: `${i % 60} ${i % 24} * * *`,
            job_type: 'noop',
            timezone: i % 2 ? 'UTC' : 'Asia/Tokyo',
          },
          tok,
          api.url,
        );
      }
    }),
  );
}, 180_000);
afterAll(async () => {
  await browser.close();
  await api.stop();
});

describe('with 10,000 schedules', () => {
  it('shows the first 50, pages on with the cursor, and searches through the API', async () => {
    const tab = await openTab(browser);
    try {
      const { page } = tab;
      const lists: string[] = [];
      page.on('request', (r) => {
        if (new URL(r.url()).pathname === '/jobs/schedules') lists.push(r.url());
      });
      await signedIn(tab, '', token(), api.url);
      await page.getByRole('link', { name: 'bulk-00000' }).waitFor();
      expect(await page.locator('.schedules-table tbody tr').count()).toBe(50);
      // One page of 50, never the 10,000: the first load, and at most a live reload of the same page when the
      // seeding's last events reach the page's event stream after it opened (they settle 1 s after they happen).
      expect(lists.length).toBeGreaterThanOrEqual(1);
      expect(lists.length).toBeLessThanOrEqual(2);
      for (const url of lists) expect(new URL(url).searchParams.get('limit')).toBe('50');
      // At most one small request per visible row beyond that (the last run's duration): none ran yet, so none.
      expect(tab.requests.filter((u) => u.includes('/jobs/runs')).length).toBe(0);

      await page.getByRole('button', { name: 'Next ›' }).click();
      await page.getByRole('link', { name: 'bulk-00050' }).waitFor();
      expect(await page.locator('.schedules-table tbody tr').count()).toBe(50);
      expect(new URL(lists.at(-1) as string).searchParams.get('cursor')).toBeTruthy();
      await page.getByRole('button', { name: '‹ Previous' }).click();
      await page.getByRole('link', { name: 'bulk-00000' }).waitFor();

      await page.getByRole('searchbox', { name: 'Search' }).fill('milestone');
      await page.getByRole('link', { name: 'bulk-09000' }).waitFor();
      expect(await page.locator('.schedules-table tbody tr').count()).toBe(10);
      expect(new URL(lists.at(-1) as string).searchParams.get('q')).toBe('milestone');
      expect(externalRequests(tab, api.url)).toEqual([]);
    } finally {
      await tab.close();
    }
  });
});
