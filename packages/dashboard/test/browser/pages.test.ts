// Every page as people see it, at 1280 px and 390 px, light and dark: an accessibility scan (no serious or
// critical axe-core violation), nothing wider than the screen, the CSP on the document, no request beyond
// 127.0.0.1, no console error. The screenshots of the README come from here.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiProcess, SECRET, startApi } from './processes.js';
import { seed } from './seed.js';
import {
  connect,
  DESKTOP,
  externalRequests,
  horizontalOverflow,
  openTab,
  PHONE,
  screenshot,
  seriousViolations,
  signedIn,
  token,
} from './support.js';

let browser: Browser;
let api: ApiProcess;
let failedRunId: string;
beforeAll(async () => {
  browser = await connect();
  // A process of its own, so the pictures show only the seeded schedules.
  api = await startApi({ JWT_SECRET: SECRET });
  ({ failedRunId } = await seed(api.url, token()));
}, 120_000);
afterAll(async () => {
  await browser.close();
  await api.stop();
});

interface PageCase {
  name: string;
  path: () => string;
  /** What shows once the page has its data. */
  ready: (page: Page) => Promise<unknown>;
  /** Variants to capture: all four, or desktop light + phone dark. */
  full: boolean;
  prepare?: (page: Page) => Promise<void>;
}

const heading = (page: Page, name: string | RegExp) =>
  page.getByRole('heading', { level: 1, name }).waitFor();

const CASES: PageCase[] = [
  {
    name: 'schedules',
    path: () => '',
    ready: (p) =>
      p
        .getByText(/took \d/)
        .first()
        .waitFor(),
    full: true,
  },
  {
    name: 'schedule',
    path: () => 'schedules/orders-import',
    ready: (p) =>
      Promise.all([
        p.locator('.chart svg').waitFor(),
        p.locator('.cal-day.has-runs').first().waitFor(),
        p.getByRole('table', { name: 'Runs of orders-import' }).waitFor(),
      ]),
    full: true,
  },
  {
    name: 'schedule-dst',
    path: () => 'schedules/march-sundays',
    ready: (p) =>
      Promise.all([
        p.getByText('DST skip').first().waitFor(),
        p.locator('.calendar caption').getByText(/run/).waitFor(),
      ]),
    full: true,
  },
  {
    name: 'new-schedule',
    path: () => 'schedules/new?job_type=send_report',
    prepare: async (p) => {
      await p.getByLabel('Name').fill('weekly-digest');
      await p.getByLabel('Description').fill('Sunday digest, before the clocks change');
      await p.getByLabel('Cron expression').fill('30 2 * 3 6');
      await p.getByLabel('Timezone').fill('Europe/Stockholm');
      await p.getByLabel('Parameters (JSON)').fill('{\n  "recipient": "ops@example.com"\n}');
    },
    ready: (p) => p.getByRole('complementary', { name: 'Preview' }).getByText('DST skip').first().waitFor(),
    full: true,
  },
  {
    name: 'runs',
    path: () => 'runs',
    ready: (p) =>
      p
        .getByText(/of \d+/)
        .first()
        .waitFor(),
    full: false,
  },
  {
    name: 'run',
    path: () => `runs/${failedRunId}`,
    ready: (p) => p.getByRole('heading', { name: 'Attempts' }).waitFor(),
    full: false,
  },
  {
    name: 'job-types',
    path: () => 'types',
    ready: (p) => p.getByRole('heading', { name: 'send_report' }).waitFor(),
    full: false,
  },
];

interface Variant {
  size: { width: number; height: number };
  label: string;
  scheme: 'light' | 'dark';
}
const DESKTOP_LIGHT: Variant = { size: DESKTOP, label: '1280', scheme: 'light' };
const PHONE_DARK: Variant = { size: PHONE, label: '390', scheme: 'dark' };
const VARIANTS: Variant[] = [
  DESKTOP_LIGHT,
  { size: DESKTOP, label: '1280', scheme: 'dark' },
  { size: PHONE, label: '390', scheme: 'light' },
  PHONE_DARK,
];

describe('every page', () => {
  for (const c of CASES) {
    it(`${c.name}: accessible, fits the screen, strict CSP, loads nothing from elsewhere (1280/390, light/dark)`, async () => {
      const variants = c.full ? VARIANTS : [DESKTOP_LIGHT, PHONE_DARK];
      for (const v of variants) {
        const tab = await openTab(browser, { viewport: v.size, colorScheme: v.scheme });
        try {
          const { page } = tab;
          const doc = page.waitForResponse((r) => r.request().resourceType() === 'document');
          await signedIn(tab, c.path(), token(), api.url);
          const csp = (await (await doc).allHeaders())['content-security-policy'];
          expect(csp).toContain("script-src 'self'");
          expect(csp).toContain("connect-src 'self'");
          expect(csp).toContain("frame-ancestors 'none'");
          await c.prepare?.(page);
          await c.ready(page);
          const where = `${c.name} ${v.label} ${v.scheme}`;
          await screenshot(page, `${c.name}-${v.label}-${v.scheme}`);
          expect(await seriousViolations(page), where).toEqual([]);
          expect(await horizontalOverflow(page), where).toBe(0);
          expect(externalRequests(tab, api.url), where).toEqual([]);
          expect(tab.errors, where).toEqual([]);
        } finally {
          await tab.close();
        }
      }
    });
  }

  it('sign-in page: accessible in both themes', async () => {
    for (const v of [DESKTOP_LIGHT, PHONE_DARK]) {
      const tab = await openTab(browser, { viewport: v.size, colorScheme: v.scheme });
      try {
        await tab.page.goto(`${api.url}/ui/`);
        await tab.page.getByLabel('Token').waitFor();
        expect(await seriousViolations(tab.page)).toEqual([]);
        expect(await horizontalOverflow(tab.page)).toBe(0);
        await screenshot(tab.page, `sign-in-${v.label}-${v.scheme}`);
        expect(externalRequests(tab, api.url)).toEqual([]);
      } finally {
        await tab.close();
      }
    }
  });

  it('the theme toggle overrides the system setting and is remembered', async () => {
    const tab = await openTab(browser, { colorScheme: 'light' });
    try {
      const { page } = tab;
      await signedIn(tab, '', token(), api.url);
      const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      const light = await bg();
      await page.getByRole('button', { name: /^Theme: system/ }).click(); // → light
      await page.getByRole('button', { name: /^Theme: light/ }).click(); // → dark
      expect(await page.evaluate(() => document.documentElement.dataset['theme'])).toBe('dark');
      expect(await bg()).not.toBe(light);
      await page.reload();
      await page.getByRole('button', { name: /^Theme: dark/ }).waitFor();
      expect(await bg()).not.toBe(light);
    } finally {
      await tab.close();
    }
  });

  it('is usable by keyboard: skip link, then every control in order, with a visible focus ring', async () => {
    const tab = await openTab(browser);
    try {
      const { page } = tab;
      await signedIn(tab, 'schedules/orders-import', token(), api.url);
      await heading(page, /orders-import/);
      // Focus moves to the page's heading after navigation (screen readers announce the page)…
      expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('H1');
      // …and Tab goes on to the page's first control, with a visible focus ring; Enter presses it.
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Run now');
      const outline = await page.evaluate(
        () => getComputedStyle(document.activeElement as Element).outlineStyle,
      );
      expect(outline).toBe('solid');
      await page.keyboard.press('Enter');
      await page
        .getByRole('status')
        .getByText(/Run started/)
        .waitFor();
      // Backwards through the header, the first stop of the document is the skip link, which jumps to the content.
      await heading(page, /orders-import/);
      await page.locator('h1').focus();
      const stops: string[] = [];
      for (let i = 0; i < 15 && stops.at(-1) !== 'Skip to content'; i++) {
        await page.keyboard.press('Shift+Tab');
        stops.push((await page.evaluate(() => document.activeElement?.textContent)) ?? '');
      }
      expect(stops).toEqual(
        expect.arrayContaining(['Sign out', 'Job types', 'Runs', 'Schedules', 'Skip to content']),
      );
      expect(stops.at(-1)).toBe('Skip to content');
      await page.keyboard.press('Enter');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
      expect(page.url()).toBe(`${api.url}/ui/schedules/orders-import`);
      // The disable dialog: Escape closes it, focus stays in the page.
      await page.getByRole('button', { name: 'Disable…' }).focus();
      await page.keyboard.press('Enter');
      await page.getByRole('dialog').waitFor();
      await page.keyboard.press('Escape');
      await page.getByRole('dialog').waitFor({ state: 'detached' });
    } finally {
      await tab.close();
    }
  });
});
