// Reads the instructions of the repository's Dockerfile that the deploy test replays (no container runtime runs
// here: the image is proven by running its steps). Continuation lines are joined; only the final stage's ENV counts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './workspace.mjs';

/** @typedef {{ instruction: string, args: string }} Instruction */

/** The Dockerfile's instructions in order, continuation lines joined, comments dropped. @returns {Instruction[]} */
export function dockerfileInstructions(path = join(ROOT, 'Dockerfile')) {
  const text = readFileSync(path, 'utf8').replace(/\\\n\s*/g, '');
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const m = /^([A-Z]+)\s+(.*)$/.exec(line);
      if (!m) throw new Error(`Dockerfile: cannot read the line "${line}"`);
      return { instruction: m[1] ?? '', args: m[2] ?? '' };
    });
}

/** What the deploy test needs: the deploy command, the final stage's ENV, CMD, HEALTHCHECK command, STOPSIGNAL. */
export function productionImage(path = join(ROOT, 'Dockerfile')) {
  const all = dockerfileInstructions(path);
  const finalFrom = all.map((i) => i.instruction).lastIndexOf('FROM');
  const final = all.slice(finalFrom);
  const one = (/** @type {Instruction[]} */ list, /** @type {string} */ name) => {
    const found = list.filter((i) => i.instruction === name);
    if (found.length !== 1)
      throw new Error(`Dockerfile: expected one ${name} in the stage, found ${found.length}`);
    return found[0]?.args ?? '';
  };
  const deploys = all.filter((i) => i.instruction === 'RUN' && /\bpnpm\b.*\bdeploy\b/.test(i.args));
  if (deploys.length !== 1)
    throw new Error(`Dockerfile: expected one RUN pnpm … deploy, found ${deploys.length}`);
  const env = Object.fromEntries(
    [...one(final, 'ENV').matchAll(/([A-Z_][A-Z0-9_]*)=("[^"]*"|\S+)/g)].map((m) => [
      m[1],
      (m[2] ?? '').replace(/^"|"$/g, ''),
    ]),
  );
  const healthcheck = one(final, 'HEALTHCHECK');
  const healthCmd = /\bCMD\s+(\[.*\])\s*$/.exec(healthcheck)?.[1];
  if (!healthCmd) throw new Error('Dockerfile: HEALTHCHECK must use the JSON form CMD ["…"]');
  return {
    /** e.g. `pnpm --filter @craft/api deploy --legacy --prod /srv/craft-api` */
    deploy: deploys[0]?.args ?? '',
    workdir: one(final, 'WORKDIR'),
    env,
    cmd: /** @type {string[]} */ (JSON.parse(one(final, 'CMD'))),
    healthcheck: /** @type {string[]} */ (JSON.parse(healthCmd)),
    stopSignal: /** @type {NodeJS.Signals} */ (one(final, 'STOPSIGNAL')),
    user: one(final, 'USER'),
  };
}
