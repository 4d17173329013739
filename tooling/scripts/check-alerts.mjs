#!/usr/bin/env node
// `pnpm check:alerts`: checks deploy/observability/alerts.yml with Prometheus's promtool — the syntax and PromQL of
// every rule (`promtool check rules`) and the rules' behaviour against the unit tests in alerts.test.yml (`promtool
// test rules`). Needs `promtool` on PATH; without it, says how to get it and exits 2. CI does not run this (promtool
// is not installed there); CI checks instead that every metric the rules and the Grafana board name is exported by a
// running API (apps/api/test/observability-assets.test.ts).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../../deploy/observability/', import.meta.url));
const probe = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
if (probe.error || probe.status !== 0) {
  process.stderr.write(
    'check:alerts: promtool is not on PATH, so the alert rules were NOT checked.\n' +
      'Get it with one of:\n' +
      '  - Debian/Ubuntu: apt-get install prometheus   (promtool comes with it, e.g. 2.42 on Debian 12)\n' +
      '  - the Prometheus release archive for your platform (promtool is next to the prometheus binary)\n' +
      '  - a source build: git clone the prometheus repository and run `make build` (Go toolchain and Node.js; a\n' +
      '    few minutes and about a gigabyte; `go install .../cmd/promtool@latest` fails: its go.mod has exclude\n' +
      '    directives)\n' +
      'then run pnpm check:alerts again.\n',
  );
  process.exit(2);
}
process.stderr.write(`check:alerts: ${probe.stdout.split('\n')[0]}\n`);
for (const args of [
  ['check', 'rules', 'alerts.yml'],
  ['test', 'rules', 'alerts.test.yml'],
]) {
  process.stderr.write(`check:alerts: promtool ${args.join(' ')}\n`);
  const r = spawnSync('promtool', args, { cwd: dir, stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(`check:alerts: FAILED: promtool ${args.join(' ')} exited ${r.status}\n`);
    process.exit(1);
  }
}
process.stderr.write('check:alerts: the alert rules are valid and pass their unit tests\n');
