// Who makes a change through the API (spec section 10, audit): the token's `sub`, stored as `updated_by` and
// `paused_by`. A token without `sub` is recorded as `api`.
import type { FastifyRequest } from 'fastify';

/** The caller's name for the audit fields. */
export function actor(req: FastifyRequest): string {
  return req.principal?.subject ?? 'api';
}
