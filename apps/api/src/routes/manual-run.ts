// What the two manual-run routes (`POST /jobs/run/{job_type}`, `POST /jobs/schedules/{job_name}/run`) share: the
// per-run overrides in the body, and "no body" meaning "no overrides".
import type { RunOptions } from '@craft/scheduler';
import { Type } from 'typebox';

/**
 * Body fields of a manual run that override, for that one run, the attempt budget and the per-attempt timeout
 * (`RunOptions` of `@craft/scheduler`). Bad values are 400 naming the field.
 */
export const RunOverrideFields = {
  max_attempts: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: Number.MAX_SAFE_INTEGER,
      description:
        "Attempt budget of this run only (an integer >= 1); default: the schedule's max_attempts, else the job type's",
    }),
  ),
  timeout_seconds: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: Number.MAX_SAFE_INTEGER,
      description:
        "Timeout of each attempt of this run only, in seconds (an integer >= 1); default: the schedule's timeout_seconds, else the job type's",
    }),
  ),
};

/** The overrides of a manual-run body as the engine's `RunOptions` (absent fields stay absent). */
export function runOptionsFromBody(body: { max_attempts?: number; timeout_seconds?: number }): RunOptions {
  return {
    ...(body.max_attempts === undefined ? {} : { maxAttempts: body.max_attempts }),
    ...(body.timeout_seconds === undefined ? {} : { timeoutSeconds: body.timeout_seconds }),
  };
}

/** `preValidation` hook: a request without a body is validated as `{}` (no parameters, no overrides). */
export async function noBodyIsEmpty(req: { body: unknown }): Promise<void> {
  if (req.body === undefined || req.body === null) req.body = {};
}
