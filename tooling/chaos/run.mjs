#!/usr/bin/env node
// @ts-check
// The chaos run as a command:
//   node tooling/chaos/run.mjs --profile week      (the proof: 5 replicas × 1,000 schedules × a simulated week)
//   node tooling/chaos/run.mjs                     (the classic run: 5 minutes at 60×; `pnpm chaos` at the root)
//   node tooling/chaos/run.mjs --profile short     (what the test suite runs)
// A profile sets every default; the other options override it. Prints the figures; exits 1 on any violation (each
// one listed), 2 on bad arguments.
import { parseArgs } from 'node:util';
import { auditRun } from './src/audit.mjs';
import { FAULT_KINDS } from './src/faults.mjs';
import { runChaos } from './src/harness.mjs';
import { PROFILES, profileOptions } from './src/profiles.mjs';
import { figureRows, formatFigures } from './src/report.mjs';
import { readSnapshot } from './src/snapshot.mjs';

let values;
try {
  ({ values } = parseArgs({
    options: {
      profile: { type: 'string', default: 'classic' },
      audit: { type: 'string' },
      minutes: { type: 'string' },
      seconds: { type: 'string' },
      processes: { type: 'string' },
      schedules: { type: 'string' },
      speed: { type: 'string' },
      faults: { type: 'string', default: 'all' },
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
    'usage: node tooling/chaos/run.mjs [--profile classic|short|week] [--minutes N | --seconds N] [--processes N]\n' +
      '         [--schedules N] [--speed X] [--faults all|none|KIND,KIND…] [--skew SECONDS] [--lock-ttl SECONDS]\n' +
      '         [--seed N] [--markdown] [--json] [--keep-dir]\n' +
      '       node tooling/chaos/run.mjs --audit DIR   (replays the audit of a run kept with --keep-dir)\n' +
      `fault kinds: ${FAULT_KINDS.join(', ')}\n` +
      `profiles:\n${Object.entries(PROFILES)
        .map(([k, p]) => `  ${k.padEnd(8)} ${p.description}`)
        .join('\n')}\nSee tooling/chaos/README.md.\n`,
  );
  process.exit(0);
}
if (values.audit !== undefined) {
  // Replays the audit of a kept run (`--keep-dir`): the auditor's figures and violations, nothing started.
  const { input } = readSnapshot(values.audit);
  const { figures, violations } = auditRun(input);
  process.stdout.write(`${JSON.stringify({ figures, violations: violations.length }, null, 2)}\n`);
  for (const v of violations.slice(0, 50)) process.stderr.write(`  - [${v.kind}] ${v.detail}\n`);
  process.exit(violations.length > 0 ? 1 : 0);
}
const profile = PROFILES[/** @type {keyof typeof PROFILES} */ (values.profile ?? 'classic')];
if (!profile) {
  process.stderr.write(
    `chaos: --profile: expected one of ${Object.keys(PROFILES).join(', ')}, got ${values.profile}\n`,
  );
  process.exit(2);
}
/** @type {import('./src/faults.mjs').FaultKind[]} */
let faultKinds = [...FAULT_KINDS];
if (values.faults === 'none') faultKinds = [];
else if (values.faults !== 'all') {
  const list = String(values.faults).split(',');
  const bad = list.filter((k) => !(/** @type {readonly string[]} */ (FAULT_KINDS).includes(k)));
  if (bad.length > 0) {
    process.stderr.write(
      `chaos: --faults: unknown kind ${bad.join(', ')}; expected all, none or some of ${FAULT_KINDS.join(', ')}\n`,
    );
    process.exit(2);
  }
  faultKinds = /** @type {import('./src/faults.mjs').FaultKind[]} */ (list);
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
    : values.minutes !== undefined
      ? num('minutes', values.minutes, 0.1, 60) * 60_000
      : profile.durationMs;
const speed = values.speed !== undefined ? num('speed', values.speed, 1, 10_000) : profile.speed;

const started = Date.now();
const result = await runChaos(
  profileOptions(profile, {
    durationMs,
    speed,
    ...(values.processes !== undefined ? { processes: num('processes', values.processes, 1, 10) } : {}),
    ...(values.schedules !== undefined ? { schedules: num('schedules', values.schedules, 1, 5000) } : {}),
    faultKinds,
    skewMs: num('skew', values.skew, 0, 3600) * 1000,
    lockTtlSeconds: num('lock-ttl', values['lock-ttl'], 5, 3600),
    ...(values.seed !== undefined ? { seed: num('seed', values.seed) } : {}),
    keepDir: values['keep-dir'],
  }),
);
process.stderr.write(
  `chaos: ${result.figures.slots} slots audited; ${((Date.now() - started) / 60_000).toFixed(1)} min of real time\n`,
);
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
process.stdout.write(
  `\nchaos: PASS (${result.figures.slots} slots audited: 0 duplicates, 0 lost, nothing stuck, no overlap, no re-execution of a finished handler)\n`,
);
