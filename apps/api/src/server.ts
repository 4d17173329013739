import type { AddressInfo } from 'node:net';
import { loadJobs, openStorage } from '@craft/runtime';
import type { Clock } from '@craft/scheduler';
import { buildApp, DASHBOARD_PREFIX, VERSION } from './app.js';
import { type ApiConfig, loadConfig } from './config.js';
import { startTelemetry } from './telemetry.js';
import { testClock } from './test-clock.js';
import type { CraftApp } from './types.js';

/** Options of {@link startServer}. */
export interface StartServerOptions {
  /** Where configuration is read from. @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
  /** Directory relative paths (`CRAFT_JOBS`, a `JWT_PUBLIC_KEY` file) resolve against. @default process.cwd() */
  cwd?: string;
  /** Install SIGTERM/SIGINT handlers that drain, close and exit the process with 0. @default true */
  handleSignals?: boolean;
  /** Where the embedded-mode banner and the development token are printed. @default process.stderr */
  out?: { write(text: string): unknown };
}

/** A started service. */
export interface RunningServer {
  /** The Fastify app. */
  app: CraftApp;
  /** The resolved configuration. */
  config: ApiConfig;
  /** The base URL it listens on, e.g. `http://127.0.0.1:5001`. */
  url: string;
  /** The development token printed at startup (embedded default only). */
  devToken: string | undefined;
  /** Stops claiming, drains running jobs within the grace period, closes the server and the database. */
  close(): Promise<void>;
}

/** Scopes of the printed development token. */
const ALL_SCOPES = 'jobs:read jobs:write jobs:run';

/**
 * Starts the service as `craft-api` does: reads and validates the configuration, loads `CRAFT_JOBS`, opens the
 * storage and ensures its indexes, runs the startup pass (`handleMissedRuns()`) and starts the scheduler loop
 * (when `SCHEDULER_ENABLED`), then listens. Settings, storage and the jobs module come from `@craft/runtime`, as in
 * the CLI. Throws `InvalidSettingsError` (`CRAFT_RUNTIME_INVALID_SETTINGS`) for invalid configuration.
 */
export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  const out = options.out ?? process.stderr;
  const config = loadConfig(options.env ?? process.env, options.cwd ? { cwd: options.cwd } : {});
  const clock: Clock | undefined = testClock({
    speed: config.testClockSpeed,
    epochMs: config.testClockEpochMs,
    offsetMs: config.testClockOffsetMs,
  });
  const jobs = config.jobsModule ? await loadJobs(config.jobsModule) : [];
  // OpenTelemetry traces when the OTEL_* variables ask for them (telemetry.ts); flushed when the app closes.
  const telemetry = await startTelemetry(options.env ?? process.env);
  const storage = await openStorage({
    mongodbUri: config.mongodbUri,
    mongodbDb: config.mongodbDb,
    lockTtlSeconds: config.lockTtlSeconds,
    appName: 'craft-api',
    ...(clock ? { clock } : {}),
  });
  let app: CraftApp;
  try {
    await storage.ensureIndexes();
    app = await buildApp({ config, storage, jobs, tracing: telemetry !== null, ...(clock ? { clock } : {}) });
  } catch (error) {
    await storage.close().catch(() => {});
    await telemetry?.shutdown().catch(() => {});
    throw error;
  }
  if (telemetry) app.log.info('OpenTelemetry tracing is on (OTEL_* environment variables)');
  const log = app.log;
  if (clock) {
    log.warn(
      { offsetMs: config.testClockOffsetMs, speed: config.testClockSpeed, epochMs: config.testClockEpochMs },
      'CRAFT_TEST_CLOCK_* is set: TEST-ONLY scheduler clock (shifted and/or accelerated)',
    );
  }
  if (storage.kind === 'memory') {
    log.warn('embedded default: in-memory storage, NOTHING IS PERSISTED; set MONGODB_URI to keep data');
    out.write(
      '\n*** craft-api: EMBEDDED DEFAULT - in-memory storage. NOTHING IS PERSISTED: schedules and runs are lost ' +
        'when this process exits. Set MONGODB_URI to use MongoDB. ***\n',
    );
  }
  let devToken: string | undefined;
  if (config.jwt.kind === 'secret' && config.jwt.generated) {
    devToken = app.jwt.sign({ sub: 'craft-dev', scope: ALL_SCOPES }, { expiresIn: '24h' });
    log.warn('no JWT_SECRET: generated a development signing secret for this process only');
  }

  try {
    if (config.schedulerEnabled) await app.scheduler.start();
    else log.info('SCHEDULER_ENABLED=false: this process serves the API only and runs no scheduler loop');
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await app.close().catch(() => {});
    await telemetry?.shutdown().catch(() => {});
    throw error;
  }
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  log.info(
    { url, version: VERSION, storage: storage.kind, scheduler: config.schedulerEnabled },
    `craft-api listening on ${url} (OpenAPI docs at ${url}/docs)`,
  );
  if (devToken) {
    out.write(
      `*** craft-api: no JWT_SECRET set, so tokens are signed with a secret generated for this process.\n` +
        `*** A token with every scope (${ALL_SCOPES}), valid for 24 hours:\n\n` +
        `export CRAFT_TOKEN=${devToken}\n` +
        `curl -H "Authorization: Bearer $CRAFT_TOKEN" ${url}/jobs/schedules\n\n` +
        // The token rides in the fragment, which browsers never send: it reaches neither the server nor its logs.
        (config.dashboardEnabled
          ? `*** Dashboard, signed in with that token:\n\n${url}${DASHBOARD_PREFIX}/#token=${devToken}\n\n`
          : ''),
    );
  }

  let closing: Promise<void> | undefined;
  const close = () => {
    // The spans of the drain are flushed after it (the SDK's exporters stop last).
    closing ??= app.close().then(async () => {
      await telemetry?.shutdown().catch(() => {});
    });
    return closing;
  };

  if (options.handleSignals !== false) {
    let signalled = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (signalled) {
        log.error({ signal }, 'second signal: exiting without draining');
        process.exit(1);
      }
      signalled = true;
      log.info(
        { signal, graceSeconds: config.shutdownGraceSeconds },
        'shutting down: no new claims; draining running jobs',
      );
      const watchdog = setTimeout(
        () => {
          log.error('shutdown took too long; exiting');
          process.exit(1);
        },
        (config.shutdownGraceSeconds + 30) * 1000,
      );
      watchdog.unref();
      close().then(
        () => {
          log.info('shut down cleanly');
          process.exit(0);
        },
        (error: unknown) => {
          log.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }

  return { app, config, url, devToken, close };
}
