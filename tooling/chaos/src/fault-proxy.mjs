// @ts-check
// A small TCP fault proxy: one listener per replica in front of the database, forwarding bytes both ways, with
// faults the harness switches on and off while the replica runs:
//
//   latency   every chunk waits `ms` (± jitter) before it is forwarded, in both directions (order is kept)
//   reset     every open connection is reset (RST to the client, the upstream side closed)
//   refuse    the listener closes: new connections are refused (ECONNREFUSED); open ones are reset
//   blackhole nothing moves either way (open connections hang, new ones are accepted and hang); at the end the held
//             bytes are delivered (the network came back, TCP retransmitted) or every connection is reset (it gave up)
//   hang      requests still reach the server (writes are applied) but its answers are held; at the end they are
//             delivered late, or the connections are reset: the acknowledgement of an applied write is lost
//
// No dependency beyond node:net, so `pnpm test` builds nothing. Bytes are opaque: a fault never cuts inside a
// message in a way TCP could not (held bytes are delivered whole and in order, or the connection dies).
import { connect, createServer } from 'node:net';

/**
 * @typedef {object} FaultProxyStats
 * @property {number} connections connections accepted
 * @property {number} open connections open now
 * @property {number} resets connections reset by a fault
 * @property {number} bytesUp bytes forwarded client → server
 * @property {number} bytesDown bytes forwarded server → client
 */

/** One direction of one connection: a FIFO of chunks released at their due time, unless the direction is held. */
class Lane {
  /** @type {{ chunk: Buffer, at: number }[]} */
  queue = [];
  /** @type {NodeJS.Timeout | null} */
  timer = null;
  lastAt = 0;

  /**
   * @param {import('node:net').Socket} dst
   * @param {() => boolean} held
   * @param {(n: number) => void} count
   */
  constructor(dst, held, count) {
    this.dst = dst;
    this.held = held;
    this.count = count;
  }

  /** @param {Buffer} chunk @param {number} delayMs */
  push(chunk, delayMs) {
    // Order is kept: a chunk never overtakes the one before it, whatever their delays.
    const at = Math.max(Date.now() + delayMs, this.lastAt);
    this.lastAt = at;
    this.queue.push({ chunk, at });
    this.pump();
  }

  pump() {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.held() || this.dst.destroyed) return;
    const now = Date.now();
    while (this.queue.length > 0 && /** @type {{ at: number }} */ (this.queue[0]).at <= now) {
      const { chunk } = /** @type {{ chunk: Buffer }} */ (this.queue.shift());
      this.count(chunk.length);
      this.dst.write(chunk);
    }
    const next = this.queue[0];
    if (next) this.timer = setTimeout(() => this.pump(), Math.max(1, next.at - now));
  }

  clear() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.queue = [];
  }
}

/** A TCP proxy in front of `upstream` with switchable faults (see the file header). */
export class FaultProxy {
  /** @type {import('node:net').Server | null} */
  #server = null;
  /** @type {Set<{ client: import('node:net').Socket, upstream: import('node:net').Socket, up: Lane, down: Lane }>} */
  #conns = new Set();
  #latencyMs = 0;
  #jitterMs = 0;
  #holdUp = false;
  #holdDown = false;
  #refusing = false;
  /** @type {FaultProxyStats} */
  stats = { connections: 0, open: 0, resets: 0, bytesUp: 0, bytesDown: 0 };
  port = 0;

  /**
   * @param {{ upstreamHost: string, upstreamPort: number, host?: string, port?: number, random?: () => number }} options
   *   `port` 0 (default) picks a free one; `random` draws the jitter (default Math.random)
   */
  constructor(options) {
    this.upstreamHost = options.upstreamHost;
    this.upstreamPort = options.upstreamPort;
    this.host = options.host ?? '127.0.0.1';
    this.port = options.port ?? 0;
    this.random = options.random ?? Math.random;
  }

  /** Starts listening; resolves with the port. */
  async listen() {
    const server = createServer((client) => this.#accept(client));
    server.on('error', () => {});
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.host, () => {
        server.off('error', reject);
        resolve(undefined);
      });
    });
    const address = server.address();
    this.port = typeof address === 'object' && address ? address.port : this.port;
    this.#server = server;
    return this.port;
  }

  /** The address clients connect to (`host:port`). */
  get address() {
    return `${this.host}:${this.port}`;
  }

  /** @param {import('node:net').Socket} client */
  #accept(client) {
    this.stats.connections++;
    this.stats.open++;
    client.setNoDelay(true);
    const upstream = connect({ host: this.upstreamHost, port: this.upstreamPort });
    upstream.setNoDelay(true);
    const up = new Lane(
      upstream,
      () => this.#holdUp,
      (n) => {
        this.stats.bytesUp += n;
      },
    );
    const down = new Lane(
      client,
      () => this.#holdDown,
      (n) => {
        this.stats.bytesDown += n;
      },
    );
    const conn = { client, upstream, up, down };
    this.#conns.add(conn);
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      this.stats.open--;
      this.#conns.delete(conn);
      up.clear();
      down.clear();
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (chunk) => up.push(chunk, this.#delay()));
    upstream.on('data', (chunk) => down.push(chunk, this.#delay()));
    for (const s of [client, upstream]) {
      s.on('error', close);
      s.on('close', close);
      s.on('end', close);
    }
  }

  #delay() {
    if (this.#latencyMs <= 0 && this.#jitterMs <= 0) return 0;
    return Math.max(0, this.#latencyMs + (this.random() * 2 - 1) * this.#jitterMs);
  }

  #pumpAll() {
    for (const c of this.#conns) {
      c.up.pump();
      c.down.pump();
    }
  }

  /**
   * Every chunk waits `ms` ± `jitterMs` (0 turns latency off). Chunks already queued keep their due time.
   * @param {number} ms @param {number} [jitterMs]
   */
  setLatency(ms, jitterMs = 0) {
    this.#latencyMs = Math.max(0, ms);
    this.#jitterMs = Math.max(0, jitterMs);
  }

  /** Resets every open connection (RST to the client). Returns how many. */
  resetAll() {
    const list = [...this.#conns];
    for (const c of list) {
      this.stats.resets++;
      c.up.clear();
      c.down.clear();
      c.client.resetAndDestroy();
      c.upstream.destroy();
    }
    return list.length;
  }

  /**
   * Holds bytes: `up` (client → server), `down` (server → client). `hold({ down: true })` is a hang (requests
   * arrive, answers do not), both is a blackhole. Releasing delivers what was held, in order.
   * @param {{ up?: boolean, down?: boolean }} hold
   */
  hold(hold) {
    this.#holdUp = hold.up ?? false;
    this.#holdDown = hold.down ?? false;
    if (!this.#holdUp || !this.#holdDown) this.#pumpAll();
  }

  /** Releases every hold; `reset: true` resets the connections instead of delivering what was held. */
  release({ reset = false } = {}) {
    if (reset) this.resetAll();
    this.hold({});
  }

  /** Closes the listener (new connections are refused) and resets the open ones. */
  async refuse() {
    if (this.#refusing || !this.#server) return;
    this.#refusing = true;
    const server = this.#server;
    this.#server = null;
    const closed = new Promise((r) => server.close(() => r(undefined)));
    this.resetAll();
    await closed;
  }

  /** Reopens the listener on the same port after {@link FaultProxy.refuse}. */
  async accept() {
    if (!this.#refusing) return;
    // The port was ours a moment ago; on loopback nothing else takes it, but retry briefly in case it is in use.
    for (let i = 0; ; i++) {
      try {
        await this.listen();
        break;
      } catch (error) {
        if (i >= 50) throw error;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    this.#refusing = false;
  }

  /** Turns every fault off (latency, holds delivered, listener open). */
  async heal() {
    this.setLatency(0);
    this.release();
    await this.accept();
  }

  /** Stops listening and closes every connection. */
  async close() {
    this.#refusing = false;
    this.hold({});
    for (const c of [...this.#conns]) {
      c.client.destroy();
      c.upstream.destroy();
    }
    const server = this.#server;
    this.#server = null;
    if (server) await new Promise((r) => server.close(() => r(undefined)));
  }
}

/**
 * The URI's single host, and the same URI through a proxy port on 127.0.0.1 (`directConnection`, so the driver never
 * discovers and connects to the server's own address around the proxy).
 * @param {string} uri
 */
export function singleHost(uri) {
  const m = /^mongodb:\/\/(?:([^@/]*)@)?([^/,?]+)(\/[^?]*)?(\?.*)?$/.exec(uri);
  if (!m) {
    throw new Error(
      `chaos: the database faults need a single-host mongodb:// URI (got ${uri.replace(/\/\/[^@/]*@/, '//…@')}); run without them (--faults none)`,
    );
  }
  const [, auth, hostPort = '', path = '/', query = ''] = m;
  const colon = hostPort.lastIndexOf(':');
  const host = colon > 0 ? hostPort.slice(0, colon).replace(/^\[|\]$/g, '') : hostPort;
  const port = colon > 0 ? Number(hostPort.slice(colon + 1)) : 27017;
  const params = new URLSearchParams(query.replace(/^\?/, ''));
  params.set('directConnection', 'true');
  return {
    host,
    port,
    via: (/** @type {number} */ proxyPort) =>
      `mongodb://${auth ? `${auth}@` : ''}127.0.0.1:${proxyPort}${path || '/'}?${params.toString()}`,
  };
}
