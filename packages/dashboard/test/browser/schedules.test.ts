// Operating schedules through the page as a person does: create one in the form (its preview marks the DST skip),
// hit a validation error at the field, run it now and see the run, disable it with a reason, edit, delete.
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { API, call, connect, externalRequests, openTab, signedIn, type Tab } from './support.js';

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
  // 4xx answers the page asked for on purpose (validation) show as console errors of the network layer only.
  expect(
    tab.errors.filter((e) => !/Failed to load resource: the server responded with a status of 4\d\d/.test(e)),
  ).toEqual([]);
  await tab.close();
});

describe('the schedule form', () => {
  it('creates a schedule; the live preview explains the cron and marks the spring-forward skip', async () => {
    tab = await openTab(browser);
    await signedIn(tab);
    const { page } = tab;
    await page.getByRole('link', { name: 'New schedule' }).click();
    await page.getByLabel('Name').fill('march-sundays');
    await page.getByLabel('Description').fill('02:30 every Sunday in March, Stockholm time');
    await page.getByLabel('Cron expression').fill('30 2 * 3 6');
    await page.getByLabel('Timezone').fill('Europe/Stockholm');
    await page.getByLabel('Job type').selectOption('noop');
    // The preview (from the API as you type): 02:30 Sundays of March; the last one is in the DST gap.
    const preview = page.getByRole('complementary', { name: 'Preview' });
    await preview.getByText('DST skip').first().waitFor();
    const rows = preview.locator('tbody tr');
    const texts = await rows.allTextContents();
    const skipAt = texts.findIndex((t) => t.includes('DST skip'));
    expect(skipAt).toBeGreaterThanOrEqual(0);
    expect(skipAt).toBeLessThanOrEqual(5); // within the first 5 runs, whatever today's date
    expect(texts[skipAt]).toMatch(/Sun \d{4}-03-\d\d 02:30.*does not exist in Europe\/Stockholm/);
    await expect(page.locator('#cron-description').textContent()).resolves.toMatch(/02:30/);
    expect(await preview.getByText(/fall[s]? in a daylight-saving gap/).count()).toBe(1);
    await page.getByRole('button', { name: 'Create schedule' }).click();
    await page.getByRole('heading', { level: 1, name: /march-sundays/ }).waitFor();
    const stored = await call<{ cron_expression: string; timezone: string; description: string }>(
      'GET',
      '/jobs/schedules/march-sundays',
    );
    expect(stored).toMatchObject({
      cron_expression: '30 2 * 3 6',
      timezone: 'Europe/Stockholm',
      description: '02:30 every Sunday in March, Stockholm time',
    });
    // Its page shows the same skip among the next runs, with the offsets.
    const next = page.getByRole('table', { name: /wall time in Europe\/Stockholm/ });
    await next.getByText('DST skip').first().waitFor();
    expect(await next.getByText('+01:00').count()).toBeGreaterThan(0);
  });

  it('shows the API’s own validation error at the field, and saves nothing', async () => {
    tab = await openTab(browser);
    await signedIn(tab, 'schedules/new');
    const { page } = tab;
    await page.getByLabel('Name').fill('bad-cron');
    const cron = page.getByLabel('Cron expression');
    await cron.fill('61 * * * *');
    // Live, from the preview route: the same 400 a create answers.
    const error = page.locator('#cron_expression-error');
    await error.waitFor();
    await expect(error.textContent()).resolves.toMatch(/cron_expression "61 \* \* \* \*" is invalid.*minute/);
    expect(await cron.getAttribute('aria-invalid')).toBe('true');
    expect(await cron.getAttribute('aria-describedby')).toContain('cron_expression-error');
    // Submitting anyway: the API's answer lands at the same field; nothing is created.
    await page.getByRole('button', { name: 'Create schedule' }).click();
    await expect(error.textContent()).resolves.toMatch(/invalid/);
    // A parameters error from the job type's schema lands at the parameters field.
    await cron.fill('0 3 * * *');
    await page.getByLabel('Job type').selectOption('send_report');
    await page.getByLabel('Parameters (JSON)').fill('{"format": "docx"}');
    await page.getByRole('button', { name: 'Create schedule' }).click();
    await expect(page.locator('#parameters-error').textContent()).resolves.toMatch(/recipient|format/);
    expect(await page.locator('#cron_expression-error').count()).toBe(0);
    const list = await call<{ items: unknown[] }>('GET', '/jobs/schedules?q=bad-cron');
    expect(list.items).toEqual([]);
  });
});

describe('a schedule’s page', () => {
  it('runs it now and shows the run; disables it with a reason; enables it; deletes it after confirmation', async () => {
    await call('POST', '/jobs/schedules', {
      job_name: 'orders-import',
      description: 'Pulls partner orders',
      cron_expression: '*/30 * * * *',
      job_type: 'import_orders',
      parameters: { source: 'acme' },
    });
    tab = await openTab(browser);
    await signedIn(tab, 'schedules/orders-import');
    const { page } = tab;
    await page.getByText('No runs yet.').waitFor();
    await page.getByRole('button', { name: 'Run now' }).click();
    await page
      .getByRole('status')
      .getByText(/Run started/)
      .waitFor();
    // The run appears in the history (refreshed after the action, then by polling until it finishes).
    const history = page.getByRole('table', { name: 'Runs of orders-import' });
    await history.getByRole('cell', { name: 'Manual' }).waitFor();
    await history.getByText('Succeeded').waitFor({ timeout: 15_000 });

    await page.getByRole('button', { name: 'Disable…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Disable orders-import?' });
    await dialog.getByLabel('Reason (shown to other operators)').fill('partner maintenance until Monday');
    const sent = page.waitForRequest((r) => r.url().endsWith('/jobs/schedules/orders-import/disable'));
    await dialog.getByRole('button', { name: 'Disable' }).click();
    expect((await sent).postDataJSON()).toEqual({ reason: 'partner maintenance until Monday' });
    await page.getByRole('button', { name: 'Enable' }).waitFor();
    await expect(page.getByText('not scheduled (disabled)').count()).resolves.toBe(1);
    expect((await call<{ is_enabled: boolean }>('GET', '/jobs/schedules/orders-import')).is_enabled).toBe(
      false,
    );

    await page.getByRole('button', { name: 'Enable' }).click();
    await page.getByRole('button', { name: 'Disable…' }).waitFor();
    expect((await call<{ is_enabled: boolean }>('GET', '/jobs/schedules/orders-import')).is_enabled).toBe(
      true,
    );

    await page.getByRole('button', { name: 'Delete…' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete orders-import?' });
    await confirm.getByRole('button', { name: 'Keep it' }).click();
    expect(await call<{ job_name: string }>('GET', '/jobs/schedules/orders-import')).toMatchObject({
      job_name: 'orders-import',
    });
    await page.getByRole('button', { name: 'Delete…' }).click();
    await page
      .getByRole('dialog', { name: 'Delete orders-import?' })
      .getByRole('button', { name: 'Delete schedule' })
      .click();
    await page.getByRole('heading', { level: 1, name: 'Schedules' }).waitFor();
    const gone = await fetch(`${API}/jobs/schedules/orders-import`, {
      headers: { authorization: `Bearer ${(await import('./support.js')).token()}` },
    });
    expect(gone.status).toBe(404);
  });

  it('edits a schedule: the form holds its values and PUT saves the change', async () => {
    await call('POST', '/jobs/schedules', {
      job_name: 'to-edit',
      cron_expression: '0 6 * * *',
      job_type: 'noop',
      timezone: 'America/New_York',
    });
    tab = await openTab(browser);
    await signedIn(tab, 'schedules/to-edit');
    const { page } = tab;
    await page.getByRole('link', { name: 'Edit', exact: true }).click();
    const cron = page.getByLabel('Cron expression');
    await expect(cron.inputValue()).resolves.toBe('0 6 * * *');
    await expect(page.getByLabel('Timezone').inputValue()).resolves.toBe('America/New_York');
    expect(await page.getByLabel('Name').getAttribute('readonly')).not.toBeNull();
    await cron.fill('15 7 * * 0-4');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('heading', { level: 1, name: /to-edit/ }).waitFor();
    expect(await call<{ cron_expression: string }>('GET', '/jobs/schedules/to-edit')).toMatchObject({
      cron_expression: '15 7 * * 0-4',
    });
  });

  it('finds schedules by search and filters, keeping them in the URL', async () => {
    await call('POST', '/jobs/schedules', {
      job_name: 'search-alpha',
      description: 'Finds me by WORD',
      cron_expression: '0 1 * * *',
      job_type: 'noop',
    });
    await call('POST', '/jobs/schedules', {
      job_name: 'search-beta',
      cron_expression: '0 2 * * *',
      job_type: 'noop',
      is_enabled: false,
    });
    tab = await openTab(browser);
    await signedIn(tab);
    const { page } = tab;
    await page.getByRole('searchbox', { name: 'Search' }).fill('word');
    await page.waitForURL(/\?q=word/);
    await page.getByRole('link', { name: 'search-alpha' }).waitFor();
    await expect(page.getByRole('link', { name: 'search-beta' }).count()).resolves.toBe(0);
    await page.getByRole('searchbox', { name: 'Search' }).fill('search-');
    await page.waitForURL(/\?q=search-$/);
    await page.getByLabel('State').selectOption('false');
    await page.waitForURL(/enabled=false/);
    await page.getByRole('link', { name: 'search-beta' }).waitFor();
    await expect(page.getByRole('link', { name: 'search-alpha' }).count()).resolves.toBe(0);
    // Back: the previous filters (search only), from the URL.
    await page.goBack();
    await page.waitForURL(/\?q=search-$/);
    await page.getByRole('link', { name: 'search-alpha' }).waitFor();
    await expect(page.getByRole('searchbox', { name: 'Search' }).inputValue()).resolves.toBe('search-');
  });
});
