// deploy/observability against the real service: every metric the alert rules and the Grafana board name is exported
// by a running API (scraped over HTTP after a few runs, so histograms and labelled counters have series), and the
// README documents every alert, panel and query. (`pnpm check:alerts` runs promtool on the rules where it exists.)
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { defineJob, type JobDefinition } from '@craft/scheduler';
import { describe, expect, it } from 'vitest';
import { bearer, makeApp, testJobs } from './helpers.js';

const DIR = new URL('../../../deploy/observability/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, DIR), 'utf8');

/** The PromQL expressions of a rules file: `expr:` values, inline or as a `|` block. */
function ruleExpressions(yaml: string): string[] {
  const lines = yaml.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\s*)expr:\s*(.*)$/.exec(lines[i] as string);
    if (!m) continue;
    const rest = (m[2] as string).trim();
    if (rest !== '|' && rest !== '>') {
      out.push(rest);
      continue;
    }
    const indent = (m[1] as string).length;
    const block: string[] = [];
    while (i + 1 < lines.length) {
      const next = lines[i + 1] as string;
      if (next.trim() !== '' && next.length - next.trimStart().length <= indent) break;
      block.push(next.trim());
      i++;
    }
    out.push(block.join(' '));
  }
  return out;
}

interface Panel {
  id: number;
  title: string;
  datasource: unknown;
  targets: { expr: string; refId: string }[];
}
interface Board {
  panels: Panel[];
  templating: { list: { query: unknown }[] };
}

const metricNames = (exprs: string[]) => [
  ...new Set(exprs.flatMap((e) => e.match(/\bcraft_[a-z0-9_]+\b/g) ?? [])),
];

const board = JSON.parse(read('grafana-dashboard.json')) as Board;
const rulesYaml = read('alerts.yml');
const ruleExprs = ruleExpressions(rulesYaml);
const boardExprs = [
  ...board.panels.flatMap((p) => p.targets.map((t) => t.expr)),
  ...board.templating.list.map((v) => JSON.stringify(v.query ?? '')),
];

describe('deploy/observability', () => {
  it('finds the expressions of every rule and panel', () => {
    expect(ruleExprs).toHaveLength((rulesYaml.match(/^\s*- alert:/gm) ?? []).length);
    expect(ruleExprs.every((e) => e.includes('craft_'))).toBe(true);
    expect(board.panels.length).toBeGreaterThanOrEqual(10);
    expect(new Set(board.panels.map((p) => p.id)).size).toBe(board.panels.length);
    for (const p of board.panels) {
      expect(p.datasource, p.title).toBeTruthy();
      expect(p.targets.length, p.title).toBeGreaterThan(0);
    }
  });

  it('every metric the rules and the board name appears in a scrape of a running API', async () => {
    let calls = 0;
    const flaky = defineJob({
      type: 'flaky',
      maxAttempts: 2,
      backoff: { baseMs: 1, maxMs: 1, jitter: 0 },
      handler: async () => {
        calls++;
        if (calls === 1) throw new Error('first attempt fails');
        return null;
      },
    }) as unknown as JobDefinition;
    const t = await makeApp({ jobs: [...testJobs(), flaky] });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    const post = async (path: string, body?: object) => {
      const res = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: { ...bearer(), ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      expect(res.status, path).toBe(200);
      return res.json();
    };
    // A few runs: succeeded, failed, retried; a scheduled slot started late; missed slots run and skipped.
    await post('/jobs/run/echo?wait=true', { parameters: { message: 'hi' } });
    await post('/jobs/run/fail?wait=true', {});
    const retried = post('/jobs/run/flaky?wait=true', {});
    await new Promise((r) => setTimeout(r, 50));
    await t.clock.advance(10);
    await retried;
    await t.app.schedules.create({ jobName: 'every-5', cronExpression: '*/5 * * * *', jobType: 'noop' });
    await t.app.schedules.create({
      jobName: 'catch-all',
      cronExpression: '0 * * * *',
      jobType: 'noop',
      missedRunPolicy: 'all',
    });
    await t.clock.advance(3 * 3_600_000 + 7_000);
    await post('/jobs/check-schedules?wait=true');

    const scrape = await (await fetch(`${base}/metrics`, { headers: bearer() })).text();
    const series = new Set(
      scrape
        .split('\n')
        .filter((l) => l !== '' && !l.startsWith('#'))
        .map((l) => l.split(/[{ ]/)[0]),
    );
    const names = metricNames([...ruleExprs, ...boardExprs]);
    expect(names.length).toBeGreaterThanOrEqual(15);
    const missing = names.filter((n) => !series.has(n));
    expect(
      missing,
      `named in deploy/observability but not exported by /metrics: ${missing.join(', ')}`,
    ).toEqual([]);
    // A scrape that lacked them would fail the check above (not vacuous): histograms have buckets with data.
    expect(scrape).toMatch(/craft_trigger_lag_seconds_bucket\{le="\+Inf",trigger="schedule"\} [1-9]/);
    expect(scrape).toMatch(/craft_run_retries_total\{job_type="flaky"\} 1/);
    await t.app.close();
  });

  it('the README documents every alert, panel and query', () => {
    const readme = read('README.md');
    for (const alert of rulesYaml.match(/(?<=- alert: )\w+/g) ?? [])
      expect(readme, alert).toContain(`\`${alert}\``);
    for (const p of board.panels) {
      expect(readme, p.title).toContain(`| ${p.title} |`);
      for (const t of p.targets) expect(readme, t.expr).toContain(`\`${t.expr.replaceAll('|', '\\|')}\``);
    }
  });
});
