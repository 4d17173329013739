import { startMongoTestServer } from '@craft/mongo-test-server';

/**
 * A vitest `globalSetup` (`globalSetup: ['@craft/test-utils/global-setup']`) that makes a package's MongoDB suites
 * runnable on their own (`pnpm --filter <pkg> test`): when `MONGODB_URI` is not set it starts the test server
 * once for the run, sets `MONGODB_URI` for the test workers and stops the server afterwards. Under the root
 * `pnpm test`, `MONGODB_URI` is already set (or `CRAFT_MONGODB_UNAVAILABLE` says why it could not be) and it
 * does nothing. A server that cannot start fails the run.
 */
export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  if (process.env.MONGODB_URI || process.env.CRAFT_MONGODB_UNAVAILABLE) return undefined;
  const server = await startMongoTestServer();
  process.env.MONGODB_URI = server.uri;
  process.env.CRAFT_MONGODB_SERVER = 'mongo-java-server';
  return async () => {
    await server.stop();
    delete process.env.MONGODB_URI;
    delete process.env.CRAFT_MONGODB_SERVER;
  };
}
