// Signing in as a person does: the link `./dev start` prints, a pasted token, a refused token, a read-only token.
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startApi } from './processes.js';
import { API, call, connect, externalRequests, openTab, signedIn, type Tab, token } from './support.js';

let browser: Browser;
let tab: Tab | undefined;
beforeAll(async () => {
  browser = await connect();
});
afterAll(async () => {
  await browser.close();
});
afterEach(async () => {
  if (tab) {
    expect(externalRequests(tab)).toEqual([]);
    expect(tab.errors.filter((e) => !/status of 40[13]/.test(e))).toEqual([]);
    await tab.close();
    tab = undefined;
  }
});

describe('signing in', () => {
  it('opens the link ./dev start prints: signed in, the token gone from the address bar and never sent', async () => {
    // A process of its own, as `./dev start` runs it: no JWT_SECRET, so it prints a development link.
    const dev = await startApi({});
    try {
      const link = /http:\/\/127\.0\.0\.1:\d+\/ui\/#token=[\w.-]+/.exec(dev.output())?.[0];
      expect(link, dev.output()).toBeDefined();
      const devToken = (link as string).split('#token=')[1] as string;
      await fetch(`${dev.url}/jobs/schedules`, {
        method: 'POST',
        headers: { authorization: `Bearer ${devToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ job_name: 'made-with-curl', cron_expression: '0 3 * * *', job_type: 'noop' }),
      });
      tab = await openTab(browser);
      const requested: string[] = [];
      tab.page.on('request', (r) => requested.push(r.url()));
      await tab.page.goto(link as string);
      await tab.page.getByRole('link', { name: 'made-with-curl' }).waitFor();
      expect(tab.page.url()).toBe(`${dev.url}/ui/`);
      expect(await tab.page.evaluate(() => sessionStorage.getItem('craft-dashboard:token'))).toBe(devToken);
      // The fragment is never part of a request URL (so never in a server log).
      expect(requested.filter((u) => u.includes(devToken))).toEqual([]);
      expect(externalRequests(tab).every((u) => u.startsWith(`${dev.url}/`))).toBe(true);
      tab.requests.length = 0;
      // A reload keeps the session (this tab only).
      await tab.page.reload();
      await tab.page.getByRole('link', { name: 'made-with-curl' }).waitFor();
    } finally {
      await tab?.close();
      tab = undefined;
      await dev.stop();
    }
  });

  it('takes a pasted token, and signs out', async () => {
    tab = await openTab(browser);
    await tab.page.goto(`${API}/ui/`);
    await tab.page.getByLabel('Token').fill(token('jobs:read jobs:write jobs:run', 'pasted@example.com'));
    await tab.page.getByRole('button', { name: 'Sign in' }).click();
    await tab.page.getByRole('heading', { name: 'Schedules', level: 1 }).waitFor();
    await expect(tab.page.locator('.who').textContent()).resolves.toBe('pasted@example.com');
    await tab.page.getByRole('button', { name: 'Sign out' }).click();
    await tab.page.getByLabel('Token').waitFor();
    expect(await tab.page.evaluate(() => sessionStorage.getItem('craft-dashboard:token'))).toBeNull();
  });

  it('says clearly why a token is refused: not a JWT, signed with another secret', async () => {
    tab = await openTab(browser);
    await tab.page.goto(`${API}/ui/`);
    await tab.page.getByLabel('Token').fill('not-a-token');
    await tab.page.getByRole('button', { name: 'Sign in' }).click();
    await expect(tab.page.getByRole('alert').textContent()).resolves.toMatch(/not a JWT/);
    const forged = token().replace(/\.[^.]+$/, '.c2lnbmF0dXJlLW9mLWFub3RoZXItc2VjcmV0');
    await tab.page.getByLabel('Token').fill(forged);
    await tab.page.getByRole('button', { name: 'Sign in' }).click();
    await expect(tab.page.getByRole('alert').textContent()).resolves.toMatch(
      /refused this token.*Authorization: the token is invalid/,
    );
    expect(await tab.page.getByRole('navigation', { name: 'Main' }).count()).toBe(0);
  });

  it('a token without jobs:read is told what it lacks', async () => {
    tab = await openTab(browser);
    await tab.page.goto(`${API}/ui/`);
    await tab.page.getByLabel('Token').fill(token('jobs:run'));
    await tab.page.getByRole('button', { name: 'Sign in' }).click();
    await expect(tab.page.getByRole('alert').textContent()).resolves.toMatch(
      /needs the jobs:read scope.*"jobs:read"/,
    );
  });
});

describe('read-only mode', () => {
  it('a jobs:read token sees schedules and runs but no button that changes anything', async () => {
    await call('POST', '/jobs/schedules', {
      job_name: 'read-only-check',
      cron_expression: '*/10 * * * *',
      job_type: 'noop',
    });
    tab = await openTab(browser);
    await signedIn(tab, '', token('jobs:read', 'viewer'));
    await expect(tab.page.getByText('Read-only', { exact: true }).count()).resolves.toBe(1);
    await tab.page.getByRole('link', { name: 'read-only-check' }).click();
    await tab.page.getByRole('heading', { name: 'Next 20 runs' }).waitFor();
    for (const name of ['Run now', 'Disable…', 'Enable', 'Edit', 'Delete…', 'New schedule']) {
      expect(await tab.page.getByRole('button', { name }).count(), name).toBe(0);
      expect(await tab.page.getByRole('link', { name, exact: true }).count(), name).toBe(0);
    }
    await tab.page.getByRole('link', { name: 'Job types' }).click();
    await tab.page.getByRole('heading', { name: 'send_report' }).waitFor();
    expect(await tab.page.getByRole('link', { name: 'New schedule of this type' }).count()).toBe(0);
    // Typing the form's URL does not help: the page says why.
    await tab.page.goto(`${API}/ui/schedules/new`);
    await expect(
      tab.page.getByText(/read-only here: changing schedules needs the jobs:write scope/).count(),
    ).resolves.toBe(1);
  });

  it('a token that expires while the page is open sends the user back to sign in by itself, saying so', async () => {
    tab = await openTab(browser);
    const short = (await import('fast-jwt')).createSigner({
      key: 'dashboard-browser-tests-0123456789abcdef',
      algorithm: 'HS256',
      expiresIn: 2500,
    })({
      sub: 'brief',
      scope: 'jobs:read',
    });
    await signedIn(tab, '', short);
    // No click needed: the API ends the event stream when its token expires, and the reconnect's 401 signs out.
    await tab.page.getByLabel('Token').waitFor({ timeout: 10_000 });
    await expect(tab.page.getByRole('alert').textContent()).resolves.toMatch(/expired/);
  });
});
