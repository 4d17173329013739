// Optimistic concurrency of the schedule routes: the ETag every schedule answer carries (its version) and the
// If-Match precondition of the edits (PUT, PATCH, DELETE, enable, disable).
import { type JobSchedule, ScheduleVersionMismatchError } from '@craft/scheduler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { PreconditionFailedError } from '../../errors.js';

/** The strong ETag of a schedule: its version, quoted (`"3"`). */
export function etagOf(schedule: JobSchedule): string {
  return `"${schedule.version}"`;
}

/** Sets the schedule's ETag on the answer and returns the schedule. */
export function withEtag(reply: FastifyReply, schedule: JobSchedule): JobSchedule {
  reply.header('etag', etagOf(schedule));
  return schedule;
}

/** The `If-Match` request header of the schedule edits (OpenAPI and validation). */
export const IfMatchHeaders = Type.Object({
  'if-match': Type.Optional(
    Type.String({
      // `*`, or a list of entity tags (RFC 9110): "3", W/"3". Any other value names no version: it is a failed
      // precondition (412), never an unconditional write.
      maxLength: 1000,
      description:
        'Optimistic concurrency: the ETag of the schedule as you read it (e.g. "3"). The change applies only if the ' +
        'schedule is still at that version (a compare-and-set in the store); otherwise 412 ' +
        'CRAFT_API_PRECONDITION_FAILED and nothing changes. Clients SHOULD send it when they edit what they read. ' +
        'Absent or * : no precondition. A list ("2", "3") matches any of its tags; a weak tag (W/"3") or a value ' +
        'that is not a quoted tag matches nothing (412). The version counts edits of the definition only (not ' +
        'next_run_at or last_run_*), so a run in between does not fail the edit',
      examples: ['"1"'],
    }),
  ),
});

/** The versions an `If-Match` header allows: undefined for none or `*` (no precondition). */
function versionsOf(header: string | undefined): number[] | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (value === '*') return undefined;
  const out: number[] = [];
  for (const m of value.matchAll(/(W\/)?"([^"]*)"/g)) {
    // If-Match compares strongly: a weak tag matches nothing. So does a tag that is not a version.
    if (m[1] === undefined && /^(0|[1-9]\d{0,14})$/.test(m[2] as string)) out.push(Number(m[2]));
  }
  return out;
}

/**
 * Runs an edit under the request's `If-Match`: without one (or `*`) as is; else as a compare-and-set on each version
 * it names (one at most can be current). A version mismatch is 412 `CRAFT_API_PRECONDITION_FAILED`, nothing
 * changed.
 */
export async function underIfMatch(
  request: FastifyRequest,
  jobName: string,
  edit: (ifVersion: number | undefined) => Promise<JobSchedule>,
): Promise<JobSchedule> {
  const header = request.headers['if-match'];
  const versions = versionsOf(Array.isArray(header) ? header.join(', ') : header);
  if (versions === undefined) return edit(undefined);
  const raw = String(header);
  // No tag that can match (weak ones, or not versions): the edit still runs, with a version no schedule has, so
  // that invalid input is answered 400 and a missing schedule 404 before the precondition fails.
  const candidates = versions.length > 0 ? [...new Set(versions)] : [NO_VERSION];
  let mismatch: ScheduleVersionMismatchError | undefined;
  for (const version of candidates) {
    try {
      return await edit(version);
    } catch (error) {
      if (!(error instanceof ScheduleVersionMismatchError)) throw error;
      mismatch = error;
    }
  }
  throw new PreconditionFailedError(jobName, raw, (mismatch as ScheduleVersionMismatchError).currentVersion);
}

/** A version no schedule reaches (one edit per microsecond for 285 years), standing for "matches nothing". */
const NO_VERSION = Number.MAX_SAFE_INTEGER;
