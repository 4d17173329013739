// Type-level guards of the public surface (checked by `pnpm typecheck`, which compiles the tests).
import type { JobScheduler, ScheduleService } from '@craft/scheduler';
import type { FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import { describe, expectTypeOf, it } from 'vitest';
import {
  type ApiConfig,
  type AuthRequirement,
  buildApp,
  type CraftApp,
  type ErrorBody,
  type Principal,
  type RunningServer,
  type Scope,
  startServer,
  toErrorBody,
} from '../src/index.js';

describe('public types', () => {
  it('buildApp resolves to the TypeBox-typed app with the scheduler decorators', () => {
    expectTypeOf(buildApp).returns.resolves.toEqualTypeOf<CraftApp>();
    expectTypeOf<CraftApp['scheduler']>().toEqualTypeOf<JobScheduler>();
    expectTypeOf<CraftApp['schedules']>().toEqualTypeOf<ScheduleService>();
    expectTypeOf<CraftApp['metrics']>().toEqualTypeOf<Registry>();
    expectTypeOf<CraftApp['apiConfig']>().toEqualTypeOf<ApiConfig>();
  });

  it('requests carry the principal; routes declare their auth requirement', () => {
    expectTypeOf<FastifyRequest['principal']>().toEqualTypeOf<Principal | null>();
    expectTypeOf<Scope>().toEqualTypeOf<'jobs:read' | 'jobs:write' | 'jobs:run'>();
    expectTypeOf<'public'>().toMatchTypeOf<AuthRequirement>();
    expectTypeOf<{ scope: 'jobs:read'; allowMetricsToken: true }>().toMatchTypeOf<AuthRequirement>();
  });

  it('startServer and the error body', () => {
    expectTypeOf(startServer).returns.resolves.toEqualTypeOf<RunningServer>();
    expectTypeOf(toErrorBody).returns.toEqualTypeOf<ErrorBody>();
    expectTypeOf<ErrorBody['field']>().toEqualTypeOf<string | undefined>();
  });
});
