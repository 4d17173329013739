import { PassThrough } from 'node:stream';
import { eventFilter, formatEventCursor, type JobEvent } from '@craft/scheduler';
import { ApiError } from '../../errors.js';
import type { CraftApp } from '../../types.js';
import { schemas } from './schema.js';

/** One SSE block: an optional id, an optional event name, one data line (JSON has no raw newline). */
function block(fields: { id?: string; event?: string; data?: unknown }): string {
  let out = '';
  if (fields.id !== undefined) out += `id: ${fields.id}\n`;
  if (fields.event !== undefined) out += `event: ${fields.event}\n`;
  if (fields.data !== undefined) out += `data: ${JSON.stringify(fields.data)}\n`;
  return `${out}\n`;
}

/** The JSON of one event on the stream (snake_case, like every answer of the API). */
export function eventView(event: JobEvent, id: string): Record<string, unknown> {
  return {
    id,
    type: event.type,
    at: event.at.toISOString(),
    job_name: event.jobName,
    run_id: event.runId,
    data: event.data,
  };
}

/** Milliseconds until the bearer token's `exp` (already verified by the auth hook), if it has one that fits a timer. */
function tokenExpiresInMs(app: CraftApp, header: string | undefined): number | undefined {
  const token = /^Bearer +(\S+)/i.exec(header ?? '')?.[1];
  if (!token) return undefined;
  const exp = (app.jwt.decode(token) as { exp?: unknown } | null)?.exp;
  if (typeof exp !== 'number') return undefined;
  const ms = exp * 1000 - Date.now();
  return ms > 2 ** 31 - 1 ? undefined : Math.max(0, ms);
}

/**
 * `GET /jobs/events`: Server-Sent Events read from the store's event log through the process's one feed
 * (spec section 12). Resumable with `Last-Event-ID` (or `?last_event_id=`); a comment line every `keepAliveMs`;
 * ended when the service shuts down.
 */
export async function eventRoutes(app: CraftApp): Promise<void> {
  app.get('/jobs/events', { schema: schemas.stream, config: { auth: 'jobs:read' } }, async (req, reply) => {
    const streams = app.events;
    if (!streams) {
      throw new ApiError(
        'CRAFT_API_EVENTS_UNAVAILABLE',
        'Events: the store this service uses keeps no event log (MemoryStore and @craft/mongo do)',
      );
    }
    if (app.draining || streams.feed.closed) {
      throw new ApiError(
        'CRAFT_API_NOT_READY',
        'Not ready: the service is shutting down; reconnect to another replica',
      );
    }
    const header = req.headers['last-event-id'];
    const lastEventId = (Array.isArray(header) ? header[0] : header) ?? req.query.last_event_id;
    const filter = eventFilter({ jobName: req.query.job_name, types: req.query.types?.split(',') });
    // Decided before the answer starts, so a store failure is still a proper error answer (503).
    const start = await streams.feed.resolveStart({ lastEventId });

    const stream = new PassThrough();
    let lastId: string | undefined = lastEventId;
    let done = false;
    const write = (text: string) => {
      if (!done) stream.write(text);
    };
    write(`: craft events\nretry: 2000\n\n`);
    if (start.reset) {
      lastId = formatEventCursor(start.cursor);
      write(
        block({
          id: lastId,
          event: 'reset',
          data: {
            reason: start.reset.reason,
            last_event_id: start.reset.lastEventId,
            message:
              start.reset.reason === 'expired'
                ? 'Events after this id are no longer kept (7 days); reload, the stream goes on from now'
                : 'This id was not given out by this service; reload, the stream goes on from now',
          },
        }),
      );
    }
    const finish = () => {
      if (done) return;
      done = true;
      clearInterval(keepAlive);
      clearTimeout(expiry);
      subscription.close();
      stream.end();
    };
    const subscription = streams.feed.subscribe(
      start.cursor,
      {
        event(event, id) {
          if (done) return false;
          lastId = id;
          write(block({ id, event: event.type, data: eventView(event, id) }));
          // A client that does not read: close its stream rather than buffer without bound; it resumes by itself.
          return stream.writableLength <= streams.options.maxBufferedBytes;
        },
        end(reason) {
          write(`: ${reason === 'closed' ? 'the service is shutting down' : 'too slow; reconnect'}\n\n`);
          finish();
        },
      },
      filter,
    );
    const keepAlive = setInterval(() => {
      write(': keep-alive\n\n');
      // Also move the client's Last-Event-ID past events it did not get (filtered out) or quiet time, so a
      // reconnect neither re-reads them nor falls behind the retention.
      const position = formatEventCursor(subscription.cursor);
      if (position !== lastId) {
        lastId = position;
        write(block({ id: position }));
      }
    }, streams.options.keepAliveMs);
    keepAlive.unref();
    // The token was checked when the stream opened; it ends when the token expires (the client's reconnect then
    // needs a valid one), so a stream never outlives its credentials.
    const expiresInMs = tokenExpiresInMs(app, req.headers.authorization);
    const expiry =
      expiresInMs === undefined
        ? undefined
        : setTimeout(() => {
            write(': the token has expired\n\n');
            finish();
          }, expiresInMs);
    expiry?.unref();
    // The response's close: the client went away (or the answer ended).
    reply.raw.on('close', finish);
    stream.on('error', finish);

    return (
      reply
        .code(200)
        .header('content-type', 'text/event-stream; charset=utf-8')
        .header('cache-control', 'no-cache, no-transform')
        .header('x-accel-buffering', 'no')
        // The socket closes with the stream: at shutdown it must not linger as an idle keep-alive connection that
        // the server's close() already passed over (it would hold the process for the keep-alive timeout).
        .header('connection', 'close')
        .send(stream)
    );
  });
}
