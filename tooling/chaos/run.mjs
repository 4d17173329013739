#!/usr/bin/env node
// @ts-check
// The chaos run as a command:
//   node tooling/chaos/run.mjs --minutes 5 --processes 5      (the long run; `pnpm chaos` at the root)
//   node tooling/chaos/run.mjs --seconds 45 --processes 3     (what the test suite runs)
// Prints the figures; exits 1 on any violation (each one listed), 2 on bad arguments.
import { parseArgs } from 'node:util';
import { runChaos } from './src/harness.mjs';
import { figureRows, formatFigures } from './src/report.mjs';

let values;
try {
  ({ values } = parseArgs({
    options: {
      minutes: { type: 'string' },
      seconds: { type: 'string' },
      processes: { type: 'string', default: '5' },
      schedules: { type: 'string', default: '300' },
      speed: { type: 'string', default: '60' },
      skew: { type: 'string', default: '30' },
      'lock-ttl': { type: 'string', default: '5' },
      seed: { type: 'string' },
      markdown: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      'keep-dir': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    args: process.argv.slice(2).filter((a) => a !== '--'),
  }));
} catch (error) {
  process.stderr.write(`chaos: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
}
if (values.help) {
  process.stdout.write(
    'usage: node tooling/chaos/run.mjs [--minutes N | --seconds N] [--processes 3..5] [--schedules N] [--speed X]\n' +
      '         [--skew SECONDS] [--lock-ttl SECONDS] [--seed N] [--markdown] [--json] [--keep-dir]\n' +
      'defaults: 5 minutes, 5 processes, 300 schedules, speed 60, skew 30, lock ttl 5. See tooling/chaos/README.md.\n',
  );
  process.exit(0);
}
const num = (
  /** @type {string} */ name,
  /** @type {string | undefined} */ v,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max) {
    process.stderr.write(`chaos: --${name}: expected a number from ${min} to ${max}, got ${v}\n`);
    process.exit(2);
  }
  return n;
};
const durationMs =
  values.seconds !== undefined
    ? num('seconds', values.seconds, 5, 3600) * 1000
    : num('minutes', values.minutes ?? '5', 0.1, 60) * 60_000;

const result = await runChaos({
  durationMs,
  processes: num('processes', values.processes, 1, 10),
  schedules: num('schedules', values.schedules, 1, 5000),
  speed: num('speed', values.speed, 1, 600),
  skewMs: num('skew', values.skew, 0, 3600) * 1000,
  lockTtlSeconds: num('lock-ttl', values['lock-ttl'], 5, 3600),
  ...(values.seed !== undefined ? { seed: num('seed', values.seed) } : {}),
  keepDir: values['keep-dir'],
});
if (values.json) {
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} else {
  process.stdout.write(`\n${formatFigures(figureRows(result), values.markdown)}\n`);
}
if (result.violations.length > 0) {
  process.stderr.write(`\nchaos: ${result.violations.length} VIOLATION(S):\n`);
  for (const v of result.violations.slice(0, 50)) process.stderr.write(`  - [${v.kind}] ${v.detail}\n`);
  if (result.violations.length > 50) process.stderr.write(`  … and ${result.violations.length - 50} more\n`);
  if (values['keep-dir']) process.stderr.write(`logs kept in ${result.dir}\n`);
  process.exit(1);
}
process.stdout.write('\nchaos: PASS (0 duplicates, 0 lost, nothing stuck, no violation)\n');
