// What the browser tests share: the browser and API of the global setup, tokens, a page that records every
// request, console error and CSP violation, the accessibility scan, screenshots.
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { createSigner } from 'fast-jwt';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { inject } from 'vitest';
import { SECRET } from './processes.js';

export const API = inject('apiUrl');
export const ALL_SCOPES = 'jobs:read jobs:write jobs:run';

/** The shared browser. */
export function connect(): Promise<Browser> {
  return chromium.connect(inject('browserEndpoint'));
}

/** An HS256 token for the shared API (as apps/api's tests mint them). */
export function token(scope: string = ALL_SCOPES, sub = 'operator@example.com'): string {
  return createSigner({ key: SECRET, algorithm: 'HS256', expiresIn: 3_600_000 })({ sub, scope });
}

/** A call to the shared API; throws with the body on a non-2xx answer. */
export async function call<T = unknown>(
  method: string,
  path: string,
  body?: unknown,
  tok = token(),
  base = API,
): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${tok}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : null) as T;
}

/** A page in a fresh context, with what it did recorded. */
export interface Tab {
  context: BrowserContext;
  page: Page;
  /** Every URL the page requested (documents, scripts, styles, fetches, images…). */
  requests: string[];
  /** Console errors, and every Content-Security-Policy violation. */
  errors: string[];
  close(): Promise<void>;
}

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/** Opens a fresh context (empty storage) at `viewport` in `colorScheme`. */
export async function openTab(
  browser: Browser,
  options: { viewport?: { width: number; height: number }; colorScheme?: 'light' | 'dark' } = {},
): Promise<Tab> {
  const viewport = options.viewport ?? DESKTOP;
  const context = await browser.newContext({
    viewport,
    colorScheme: options.colorScheme ?? 'light',
    ...(viewport.width < 500 ? { isMobile: true, hasTouch: true } : {}),
    deviceScaleFactor: 1,
    locale: 'en-GB',
    timezoneId: 'Europe/Stockholm',
  });
  const page = await context.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  // Reported by the page itself: any resource or inline code the CSP refused.
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  return { context, page, requests, errors, close: () => context.close() };
}

/** Signs in through the URL fragment, as the link `./dev start` prints does, and waits for the schedules. */
export async function signedIn(tab: Tab, path = '', tok = token(), base = API): Promise<void> {
  await tab.page.goto(`${base}/ui/${path}#token=${tok}`);
  await tab.page.getByRole('navigation', { name: 'Main' }).waitFor();
}

/** Every request went to the API's own loopback origin (or is a data: URL). */
export function externalRequests(tab: Tab, base = API): string[] {
  return tab.requests.filter((u) => !u.startsWith(`${base}/`) && !u.startsWith('data:'));
}

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical violations on the page as it is now (WCAG 2.x A and AA rules). */
export async function seriousViolations(page: Page): Promise<string[]> {
  // Evaluated over the DevTools protocol, which the page's CSP does not govern (it is not the page's code).
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run: (
            c: unknown,
            o: unknown,
          ) => Promise<{
            violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[];
          }>;
        };
      }
    ).axe;
    const r = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
    }));
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.targets.join(' | ')})`);
}

const SHOTS = fileURLToPath(
  new URL(
    process.env['CRAFT_UPDATE_SCREENSHOTS'] === '1' ? '../../docs/screenshots/' : '../../.screenshots/',
    import.meta.url,
  ),
);

/**
 * Saves a full-page screenshot as `<name>.png`: into docs/screenshots (committed, shown in the README) when
 * CRAFT_UPDATE_SCREENSHOTS=1 (`pnpm --filter @craft/dashboard screenshots`), else into .screenshots (ignored).
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  // The whole page, cut at about two phone screens or three desktop ones (the README needs no more).
  const width = page.viewportSize()?.width ?? DESKTOP.width;
  // From the top, nothing focused (a focused field scrolls the page under the sticky header).
  await page.evaluate(() => {
    (document.activeElement as HTMLElement | null)?.blur();
    window.scrollTo(0, 0);
  });
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  const limit = width < 500 ? 1700 : 2400;
  await page.screenshot({
    path: `${SHOTS}${name}.png`,
    fullPage: true,
    clip: { x: 0, y: 0, width, height: Math.min(height, limit) },
    animations: 'disabled',
    caret: 'hide',
  });
}

/** How far the page is wider than its viewport (0 when nothing sticks out sideways). */
export function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}
