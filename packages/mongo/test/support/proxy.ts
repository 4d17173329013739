// A TCP proxy in front of the MongoDB server, so a test can drop every connection of ONE client mid-operation
// (and refuse new ones until restored), or stall them (data stops flowing: socket timeouts), without touching
// the shared server other test files use.
import { createServer, type Server, Socket } from 'node:net';
import { MongoClient, type MongoClientOptions } from 'mongodb';

export interface MongoProxy {
  /** A connection string for a client that talks to the server through this proxy only. */
  uri: string;
  /** Destroys every proxied connection; new ones are closed at once until {@link restore}. */
  cut(): void;
  /** Keeps connections open but stops forwarding bytes (operations hang until the socket times out). */
  stall(): void;
  /**
   * Holds every request `ms` before it goes to the server (0: at once again), in order; replies are not held. A write
   * sent while it is on lands after the client may have given up on it.
   */
  delay(ms: number): void;
  /** Forwards again (new connections only; connections cut or stalled before stay dead). */
  restore(): void;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

/** `host:port` of the server to proxy: the primary of a replica set, else the (first) host of the URI. */
async function targetOf(uri: string): Promise<{ host: string; port: number }> {
  const client = await new MongoClient(uri, { serverSelectionTimeoutMS: 10_000 }).connect();
  try {
    let hello: Record<string, unknown>;
    try {
      hello = await client.db('admin').command({ hello: 1 });
    } catch {
      hello = await client.db('admin').command({ isMaster: 1 });
    }
    const address = (hello['primary'] ?? hello['me']) as string | undefined;
    const hostPort = address ?? /^mongodb(?:\+srv)?:\/\/(?:[^@/]*@)?([^,/?]+)/.exec(uri)?.[1] ?? '';
    const i = hostPort.lastIndexOf(':');
    return i < 0
      ? { host: hostPort, port: 27017 }
      : { host: hostPort.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(hostPort.slice(i + 1)) };
  } finally {
    await client.close();
  }
}

/** The URI with its host list replaced by the proxy (direct connection, no replica-set discovery). */
function proxiedUri(uri: string, port: number): string {
  const m = /^(mongodb(?:\+srv)?):\/\/(?:([^@/]*)@)?([^/?]*)(\/[^?]*)?(?:\?(.*))?$/.exec(uri);
  if (!m) throw new Error(`cannot parse MONGODB_URI ${uri.replace(/\/\/[^@]*@/, '//****@')}`);
  const params = new URLSearchParams(m[5] ?? '');
  params.delete('replicaSet');
  params.set('directConnection', 'true');
  if (m[1] === 'mongodb+srv') {
    params.set('tls', 'true');
    params.set('tlsAllowInvalidHostnames', 'true');
    if (!params.has('authSource')) params.set('authSource', 'admin');
  }
  return `mongodb://${m[2] ? `${m[2]}@` : ''}127.0.0.1:${port}${m[4] || '/'}?${params.toString()}`;
}

export async function startProxy(uri: string): Promise<MongoProxy> {
  const target = await targetOf(uri);
  const sockets = new Set<Socket>();
  let mode: 'up' | 'down' | 'stalled' = 'up';
  let delayMs = 0;
  const server: Server = createServer((client) => {
    if (mode !== 'up') {
      if (mode === 'down') client.destroy();
      else sockets.add(client); // stalled: accept, never answer
      return;
    }
    const upstream = new Socket();
    upstream.connect(target.port, target.host);
    sockets.add(client);
    sockets.add(upstream);
    // Requests held by delay(), first in first out (a chunk never overtakes one held before it).
    const held: { at: number; chunk: Buffer }[] = [];
    let timer: NodeJS.Timeout | null = null;
    const pump = () => {
      timer = null;
      while (held.length > 0 && (held[0] as { at: number }).at <= Date.now()) {
        const { chunk } = held.shift() as { chunk: Buffer };
        if (mode === 'up' && !upstream.destroyed) upstream.write(chunk);
      }
      if (held.length > 0) timer = setTimeout(pump, (held[0] as { at: number }).at - Date.now());
      else if (closing) upstream.end(); // flushes the held requests, then closes (its 'close' ends the rest)
    };
    // A client that closes its socket does not call back what it already sent: held requests still reach the server.
    let closing = false;
    client.on('data', (chunk: Buffer) => {
      if (mode !== 'up') return;
      if (delayMs === 0 && held.length === 0) upstream.write(chunk);
      else {
        held.push({ at: Date.now() + delayMs, chunk });
        if (!timer) pump();
      }
    });
    upstream.on('data', (chunk) => {
      if (mode === 'up') client.write(chunk);
    });
    const end = () => {
      client.destroy();
      if (held.length > 0 && mode === 'up' && !upstream.destroyed) {
        closing = true; // the rest once the held requests went out (pump)
        return;
      }
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    uri: proxiedUri(uri, port),
    cut() {
      mode = 'down';
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    stall() {
      mode = 'stalled';
    },
    delay(ms) {
      delayMs = ms;
    },
    restore() {
      // Stalled connections are useless to the driver now: drop them so it opens fresh ones.
      if (mode === 'stalled') for (const s of sockets) s.destroy();
      mode = 'up';
      delayMs = 0;
    },
    async close() {
      mode = 'down';
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Connects a client through `proxy` with short timeouts, so failures surface in milliseconds. */
export function proxiedClient(proxy: MongoProxy, options: MongoClientOptions = {}): MongoClient {
  return new MongoClient(proxy.uri, {
    serverSelectionTimeoutMS: 400,
    connectTimeoutMS: 400,
    heartbeatFrequencyMS: 500,
    ...options,
  });
}
