import { Type } from 'typebox';
import { ErrorBodyRef } from '../schema.js';

/** Route schemas of the health resource. */
export const schemas = {
  health: {
    tags: ['operations'],
    operationId: 'health',
    summary: 'Liveness: the process answers',
    response: { 200: Type.Object({ status: Type.Literal('ok') }) },
  },
  ready: {
    tags: ['operations'],
    operationId: 'ready',
    summary: 'Readiness: the database answers and the process is not shutting down (503 otherwise)',
    response: {
      200: Type.Object({
        status: Type.Literal('ready'),
        storage: Type.Enum(['memory', 'mongodb']),
        scheduler: Type.Enum(['running', 'stopped']),
      }),
      503: ErrorBodyRef,
    },
  },
};
