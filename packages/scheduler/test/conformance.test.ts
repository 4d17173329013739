import { describe, expect, it } from 'vitest';
import { MemoryLock, MemoryStore } from '../src/index.js';
import { eventLogSuite, schedulerConformanceSuite } from '../src/testing/index.js';

describe('in-memory reference implementation', () => {
  schedulerConformanceSuite(
    { describe, it, expect },
    {
      createStore: ({ clock }) => new MemoryStore({ clock }),
      createLock: ({ clock }) => new MemoryLock({ clock }),
      collectGarbage: (lock) => {
        (lock as MemoryLock).collectGarbage();
      },
    },
  );
  eventLogSuite({ describe, it, expect }, { createEventLog: ({ clock }) => new MemoryStore({ clock }) });
});
