import { MAX_REASON_LENGTH } from '@craft/scheduler';
import { Type } from 'typebox';
import { errorResponses, NullableDateTime, nullable } from '../schema.js';

/** The global pause as the API returns it. */
export const PauseState = Type.Object(
  {
    paused: Type.Boolean({ description: 'true: no replica triggers any slot (runs in flight finish)' }),
    reason: nullable<string>({ type: 'string', description: 'Why, while paused' }),
    paused_at: NullableDateTime,
    paused_by: nullable<string>({ type: 'string', description: "Who paused (a token's sub, cli, code)" }),
    resumed_by: nullable<string>({ type: 'string', description: 'Who resumed last, when not paused' }),
    windows: Type.Array(
      Type.Object({
        from: Type.String({ format: 'date-time' }),
        to: Type.String({ format: 'date-time' }),
        catch_up: Type.Boolean({
          description:
            'false: slots due in the window are recorded skipped (reason paused); true: they followed the ' +
            'missed-run policy',
        }),
      }),
      { description: 'The most recent ended pauses (at most 20, oldest first)' },
    ),
  },
  { additionalProperties: false },
);

/** `POST /jobs/pause` body (optional). */
export const PauseBody = Type.Object(
  {
    reason: Type.Optional(
      nullable<string>({
        type: 'string',
        maxLength: MAX_REASON_LENGTH,
        description: 'Why triggering is paused (shown to operators and in the dashboard banner)',
      }),
    ),
  },
  { additionalProperties: false },
);

/** `POST /jobs/resume` body (optional). */
export const ResumeBody = Type.Object(
  {
    catch_up: Type.Optional(
      Type.Boolean({
        default: false,
        description:
          "false (default): slots that fell due while paused are recorded skipped (reason paused); true: each schedule's missed-run policy applies to them",
      }),
    ),
  },
  { additionalProperties: false },
);

const tags = ['pause'];

/** Route schemas of the global pause. */
export const schemas = {
  get: {
    tags,
    operationId: 'getPause',
    summary: 'Read the global pause: whether triggering is paused for every replica, why and by whom',
    response: { 200: PauseState, ...errorResponses() },
  },
  pause: {
    tags,
    operationId: 'pauseAll',
    summary:
      'Pause triggering on every replica (incidents): each replica checks once per pass; runs in flight finish; ' +
      '/ready stays ready. Pausing again replaces the reason',
    body: PauseBody,
    response: { 200: PauseState, ...errorResponses(413, 415) },
  },
  resume: {
    tags,
    operationId: 'resumeAll',
    summary:
      'Resume triggering. Slots that fell due while paused are recorded skipped (reason paused), unless catch_up ' +
      'is true (then each schedule’s missed-run policy applies). Resuming while not paused changes nothing',
    body: ResumeBody,
    response: { 200: PauseState, ...errorResponses(413, 415) },
  },
};
