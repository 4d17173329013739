// Each published README's first example, taken from the README (never copied here), and what a run of it must
// show. An example that starts something long-lived gets an epilogue that stops it, appended after the README's
// code as written; every run ends by printing EXAMPLE_DONE, so an example that stops early is a failure.
import { join } from 'node:path';
import { firstBlock } from './readme.mjs';
import { ROOT } from './workspace.mjs';

export const EXAMPLE_DONE = 'README-EXAMPLE-DONE';

/**
 * How to end each package's first `## Usage` code example (keyed by package name). A published package missing
 * here fails the install test: add its entry when you add a package.
 * @type {Record<string, { epilogue: string, needsMongo?: boolean }>}
 */
export const EPILOGUES = {
  // Pure functions: nothing to stop.
  '@craft/cron': { epilogue: '' },
  // The example starts the loop on the in-memory store.
  '@craft/scheduler': { epilogue: 'await scheduler.stop();' },
  // The example connects to MONGODB_URI / MONGODB_DB, starts, stops and closes by itself.
  '@craft/mongo': { epilogue: '', needsMongo: true },
  // MongoDB when MONGODB_URI is set; the example starts the loop.
  '@craft/runtime': { epilogue: 'await scheduler.stop();\nawait storage.close();', needsMongo: true },
  // buildApp + inject, then startServer() on PORT (0 here); close() drains and closes.
  '@craft/api': { epilogue: 'await server.close();', needsMongo: true },
  // A Fastify app with the plugin, listening on PORT (0 here).
  '@craft/dashboard': { epilogue: 'await app.close();' },
};

/**
 * The first `ts` block under `## Usage` of a package's README, with its epilogue and the done marker.
 * @param {{ name: string, relDir: string }} pkg
 */
export function usageExample(pkg) {
  const entry = EPILOGUES[pkg.name];
  if (!entry) throw new Error(`no epilogue for ${pkg.name}: add it to EPILOGUES in src/examples.mjs`);
  const { code } = firstBlock(join(ROOT, pkg.relDir, 'README.md'), '## Usage', 'ts');
  return {
    code,
    needsMongo: entry.needsMongo === true,
    source: `${code}\n// --- appended by tooling/packaging: end what the example started\n${entry.epilogue}\nconsole.log('${EXAMPLE_DONE}');\n`,
  };
}

/** Packages whose README has a `ts` example under `## Usage` (the CLI's examples are shell commands). */
export function hasUsageExample(/** @type {{ relDir: string }} */ pkg) {
  try {
    firstBlock(join(ROOT, pkg.relDir, 'README.md'), '## Usage', 'ts');
    return true;
  } catch {
    return false;
  }
}
