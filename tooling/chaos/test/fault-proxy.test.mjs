// The fault proxy over real loopback sockets: an upstream that records what reached it and echoes it back.
import { connect, createServer } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FaultProxy, singleHost } from '../src/fault-proxy.mjs';

/** @type {import('node:net').Server} */
let upstream;
/** @type {string[]} */
let received;
/** @type {FaultProxy} */
let proxy;

beforeEach(async () => {
  received = [];
  upstream = createServer((s) => {
    s.on('data', (d) => {
      received.push(d.toString());
      s.write(d);
    });
    s.on('error', () => {});
  });
  await new Promise((r) => upstream.listen(0, '127.0.0.1', () => r(undefined)));
  const address = /** @type {import('node:net').AddressInfo} */ (upstream.address());
  proxy = new FaultProxy({ upstreamHost: '127.0.0.1', upstreamPort: address.port });
  await proxy.listen();
});

afterEach(async () => {
  await proxy.close();
  await new Promise((r) => upstream.close(() => r(undefined)));
});

/** A client socket with its received text, its error and whether it closed. */
async function client() {
  const socket = connect({ host: '127.0.0.1', port: proxy.port });
  const state = { socket, text: '', error: /** @type {any} */ (null), closed: false };
  socket.on('data', (d) => {
    state.text += d.toString();
  });
  socket.on('error', (e) => {
    state.error = e;
  });
  socket.on('close', () => {
    state.closed = true;
  });
  await new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return state;
}

async function until(/** @type {() => boolean} */ cond, ms = 3000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await delay(5);
  }
}

describe('FaultProxy', () => {
  it('forwards bytes both ways when no fault is on', async () => {
    const c = await client();
    c.socket.write('ping');
    await until(() => c.text === 'ping');
    expect(received).toEqual(['ping']);
    expect(proxy.stats).toMatchObject({ connections: 1, open: 1, bytesUp: 4, bytesDown: 4 });
  });

  it('delays every chunk by the latency in each direction, keeping their order', async () => {
    proxy.setLatency(150);
    const c = await client();
    const t0 = Date.now();
    c.socket.write('a');
    await delay(20);
    c.socket.write('b');
    await until(() => c.text === 'ab');
    // Two legs of 150 ms each for the last chunk.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
    proxy.setLatency(0);
    const t1 = Date.now();
    c.socket.write('c');
    await until(() => c.text === 'abc');
    expect(Date.now() - t1).toBeLessThan(150);
  });

  it('resets every open connection', async () => {
    const c = await client();
    c.socket.write('x');
    await until(() => c.text === 'x');
    expect(proxy.resetAll()).toBe(1);
    await until(() => c.closed);
    expect(c.error?.code).toBe('ECONNRESET');
    expect(proxy.stats.open).toBe(0);
  });

  it('refuses new connections while cut off, and accepts them again on the same port', async () => {
    const before = await client();
    const port = proxy.port;
    await proxy.refuse();
    await until(() => before.closed);
    await expect(client()).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await proxy.accept();
    expect(proxy.port).toBe(port);
    const after = await client();
    after.socket.write('back');
    await until(() => after.text === 'back');
  });

  it('blackholes both directions, then delivers what it held in order', async () => {
    const c = await client();
    proxy.hold({ up: true, down: true });
    c.socket.write('held-1');
    c.socket.write('held-2');
    await delay(100);
    expect(received).toEqual([]);
    expect(c.text).toBe('');
    proxy.release();
    await until(() => c.text === 'held-1held-2');
    expect(received.join('')).toBe('held-1held-2');
  });

  it('hangs answers: the request reaches the server, the answer is lost when the hang ends in a reset', async () => {
    const c = await client();
    proxy.hold({ down: true });
    c.socket.write('write-1');
    await until(() => received.join('') === 'write-1');
    await delay(50);
    expect(c.text).toBe('');
    proxy.release({ reset: true });
    await until(() => c.closed);
    expect(c.text).toBe('');
    expect(c.error?.code).toBe('ECONNRESET');
  });

  it('hangs answers and delivers them late when the hang ends without a reset', async () => {
    const c = await client();
    proxy.hold({ down: true });
    c.socket.write('slow');
    await delay(80);
    expect(c.text).toBe('');
    proxy.release();
    await until(() => c.text === 'slow');
  });

  it('heal turns every fault off', async () => {
    proxy.setLatency(500);
    proxy.hold({ up: true, down: true });
    await proxy.refuse();
    await proxy.heal();
    const c = await client();
    const t0 = Date.now();
    c.socket.write('ok');
    await until(() => c.text === 'ok');
    expect(Date.now() - t0).toBeLessThan(400);
  });
});

describe('singleHost', () => {
  it('routes a single-host URI through a proxy port with directConnection, keeping credentials, path and options', () => {
    const a = singleHost('mongodb://127.0.0.1:40123/');
    expect(a).toMatchObject({ host: '127.0.0.1', port: 40123 });
    expect(a.via(5000)).toBe('mongodb://127.0.0.1:5000/?directConnection=true');
    const b = singleHost('mongodb://user:pw@db.example:27018/admin?authSource=admin');
    expect(b).toMatchObject({ host: 'db.example', port: 27018 });
    expect(b.via(5001)).toBe('mongodb://user:pw@127.0.0.1:5001/admin?authSource=admin&directConnection=true');
    expect(singleHost('mongodb://localhost').port).toBe(27017);
  });

  it('refuses a URI the proxies cannot stand in front of, without printing its password', () => {
    expect(() => singleHost('mongodb://a:1,b:2/?replicaSet=rs')).toThrow(/single-host/);
    expect(() => singleHost('mongodb+srv://u:secret@cluster.example/')).toThrow(/--faults none/);
    expect(() => singleHost('mongodb+srv://u:secret@cluster.example/')).not.toThrow(/secret/);
  });
});
