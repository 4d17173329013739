// Once for the whole test run: one headless Chromium (Debian's, driven by playwright-core over its wire protocol)
// and one real craft-api process (the built bin, embedded default storage, a known JWT secret) on free loopback
// ports. Test files connect to both; both stop at the end.
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { TestProject } from 'vitest/node';
import { CHROMIUM, CHROMIUM_ARGS, startApi } from './processes.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Playwright's endpoint of the shared browser. */
    browserEndpoint: string;
    /** `http://127.0.0.1:<port>` of the shared craft-api. */
    apiUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `@craft/dashboard browser tests: no Chromium at ${CHROMIUM}. Install Debian's package (apt-get install -y ` +
        'chromium; ./dev test does it), or set CHROMIUM_PATH to a Chromium binary.',
    );
  }
  const browser = await chromium.launchServer({
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    headless: true,
  });
  let api: Awaited<ReturnType<typeof startApi>>;
  try {
    api = await startApi();
  } catch (error) {
    await browser.close();
    throw error;
  }
  project.provide('browserEndpoint', browser.wsEndpoint());
  project.provide('apiUrl', api.url);
  return async () => {
    await browser.close();
    await api.stop();
  };
}
