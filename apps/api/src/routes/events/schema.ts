import { Type } from 'typebox';
import { errorResponses } from '../schema.js';

const TYPE = '[a-z][a-z_]*:[a-z][a-z_]*';

/** `GET /jobs/events` query. */
export const EventsQuery = Type.Object(
  {
    last_event_id: Type.Optional(
      Type.String({
        maxLength: 200,
        description:
          'Resume after this event id, for clients that cannot set the Last-Event-ID header (the header wins ' +
          'when both are sent)',
      }),
    ),
    job_name: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: 'Only events of this schedule' }),
    ),
    types: Type.Optional(
      Type.String({
        pattern: `^${TYPE}(,${TYPE})*$`,
        maxLength: 1000,
        description: 'Only events of these types, comma-separated (e.g. run:failed,run:timed_out)',
      }),
    ),
  },
  { additionalProperties: false },
);

const STREAM_DESCRIPTION = [
  'A Server-Sent Events stream (`text/event-stream`) of run lifecycle and schedule changes from every replica,',
  'in one order. Each event: `id: <event id>`, `event: <type>` (run:created, run:started, run:succeeded,',
  'run:failed, run:retrying, run:timed_out, run:skipped, run:abandoned, run:cancelled, run:lease_lost,',
  'schedule:created,',
  'schedule:updated, schedule:enabled, schedule:disabled, schedule:deleted; the list is open: skip unknown types),',
  '`data: {"id","type","at","job_name","run_id","data":{…}}`. A comment line (`: keep-alive`) every 15 s, and an',
  '`id:` line alone when the position moved without an event for this client. Reconnect with the last id in',
  '`Last-Event-ID` to get exactly the events that followed; an id older than the 7 days events are kept (or one',
  'this service did not give out) gets an `event: reset` first, then the stream goes on from now: reload your',
  'state. Events are delivered about 1 s after they happen. The stream ends when the service shuts down.',
].join(' ');

/** Route schemas of the event stream. */
export const schemas = {
  stream: {
    tags: ['events'],
    operationId: 'streamEvents',
    summary: 'Follow run and schedule events (Server-Sent Events)',
    description: STREAM_DESCRIPTION,
    querystring: EventsQuery,
    headers: Type.Object({
      'last-event-id': Type.Optional(
        Type.String({
          maxLength: 200,
          description: 'The id of the last event received (set by SSE clients on reconnect)',
        }),
      ),
    }),
    response: {
      200: {
        description: 'The event stream (never ends by itself; see the operation description for its format)',
        content: { 'text/event-stream': { schema: { type: 'string' } } },
      },
      ...errorResponses(501, 503),
    },
  },
};
