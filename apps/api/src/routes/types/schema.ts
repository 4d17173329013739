import { Type } from 'typebox';
import { errorResponses, nullable } from '../schema.js';

/** One registered job type. */
export const JobType = Type.Object({
  job_type: Type.String(),
  description: nullable<string>({ type: 'string' }),
  max_attempts: Type.Integer({ description: 'Default attempt budget' }),
  timeout_seconds: Type.Integer({ description: 'Default per-attempt timeout' }),
  backoff: Type.Object({
    base_ms: Type.Integer({ description: 'Delay before the 2nd attempt' }),
    max_ms: Type.Integer({ description: 'Upper bound of a delay' }),
    jitter: Type.Number({ description: 'Fraction of each delay randomised away' }),
  }),
  parameters: Type.Unknown({ description: 'JSON Schema of the parameters, or null (any object)' }),
});

/** Route schemas of the job types resource. */
export const schemas = {
  list: {
    tags: ['jobs'],
    operationId: 'listJobTypes',
    summary: 'Registered job types with their defaults and parameter schemas',
    response: { 200: Type.Object({ items: Type.Array(JobType) }), ...errorResponses() },
  },
};
