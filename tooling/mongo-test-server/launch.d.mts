/** The self-contained server jar that `mvn package` produces (target/mongo-test-server.jar). */
export declare const JAR_PATH: string;

/** Stable codes of {@link MongoTestServerError}. */
export type MongoTestServerErrorCode =
  | 'CRAFT_TEST_SERVER_JAVA_MISSING'
  | 'CRAFT_TEST_SERVER_MAVEN_MISSING'
  | 'CRAFT_TEST_SERVER_BUILD_FAILED'
  | 'CRAFT_TEST_SERVER_START_FAILED'
  | 'CRAFT_TEST_SERVER_PING_FAILED';

/** Why the test server could not be built or started; `message` says what to install or set. */
export declare class MongoTestServerError extends Error {
  constructor(code: MongoTestServerErrorCode, message: string, options?: ErrorOptions);
  /** Stable code. */
  readonly code: MongoTestServerErrorCode;
}

/** Whether the jar exists and is newer than pom.xml and every file under src/. */
export declare function isJarFresh(): boolean;

/** Options of {@link buildMongoTestServer}. */
export interface BuildMongoTestServerOptions {
  /**
   * Receives the launcher's progress messages.
   * @default writes each line to stderr
   */
  log?: (line: string) => void;
  /**
   * Build even if the jar is fresh.
   * @default false
   */
  force?: boolean;
}

/**
 * Builds the jar with `mvn -q -B package` unless it is fresh. Concurrent callers wait for one build.
 * Rejects with CRAFT_TEST_SERVER_MAVEN_MISSING or CRAFT_TEST_SERVER_BUILD_FAILED (carrying Maven's output).
 */
export declare function buildMongoTestServer(
  options?: BuildMongoTestServerOptions,
): Promise<{ built: boolean; ms: number }>;

/** Options of {@link startMongoTestServer}. */
export interface StartMongoTestServerOptions {
  /**
   * Use `process.env.MONGODB_URI` when it is set, starting nothing.
   * @default true
   */
  useEnv?: boolean;
  /**
   * Time allowed for the JVM to print its LISTENING line and answer `ping`, in milliseconds.
   * @default 60000
   */
  startTimeoutMs?: number;
  /**
   * Receives the launcher's progress messages.
   * @default writes each line to stderr
   */
  log?: (line: string) => void;
  /**
   * Receives the server's own log lines (WARN and above).
   * @default writes each line to stderr, prefixed with `[mongo-test-server]`
   */
  serverLog?: (line: string) => void;
  /**
   * JVM options placed before `-jar`.
   * @default ['-XX:+UseSerialGC', log-level flags when MONGO_TEST_SERVER_LOG_LEVEL is set, ...MONGO_TEST_SERVER_JAVA_OPTS]
   */
  javaOptions?: string[];
}

/** A running test server, or the external MongoDB named by MONGODB_URI. */
export interface MongoTestServer {
  /** `mongodb://127.0.0.1:PORT/`, or MONGODB_URI when it was used. */
  readonly uri: string;
  /** True when MONGODB_URI was used and nothing was started. */
  readonly external: boolean;
  /** The test server's port; undefined when external. */
  readonly port: number | undefined;
  /** The Java process id; undefined when external. */
  readonly pid: number | undefined;
  /** Jar build time (about 0 when cached) and spawn-to-ping time, in milliseconds. */
  readonly timings: { buildMs: number; startMs: number };
  /** Stops the server and waits for the process to exit; a no-op when external. Safe to call twice. */
  stop(): Promise<void>;
  /** Settles when the Java process exits for any reason; never settles when external. */
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
}

/**
 * Starts the MongoDB-compatible test server (mongo-java-server, in memory) on 127.0.0.1 and a free port, unless
 * MONGODB_URI is set. Resolves once the server answers `ping` through the official driver.
 */
export declare function startMongoTestServer(options?: StartMongoTestServerOptions): Promise<MongoTestServer>;
