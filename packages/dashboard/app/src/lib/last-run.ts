import { useEffect, useState } from 'preact/hooks';
import type { Api } from './api.js';
import type { Run } from './types.js';

// The list shows each schedule's last run with its duration, which the schedule record does not carry: one small
// request per visible row (`GET /jobs/runs?job_name=…&limit=1`), at most 4 at a time, cached by the schedule's
// `last_run_at` so a refresh asks again only for schedules that ran since.
const cache = new Map<string, Promise<Run | null>>();
let active = 0;
const queue: (() => void)[] = [];

function limited<T>(task: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const start = () => {
      active++;
      task()
        .then(resolve, reject)
        .finally(() => {
          active--;
          queue.shift()?.();
        });
    };
    if (active < 4) start();
    else queue.push(start);
  });
}

/** The latest run of `jobName` (null when it has none), re-read when `lastRunAt` changes. */
export function useLastRun(api: Api, jobName: string, lastRunAt: string | null): Run | null | undefined {
  const [run, setRun] = useState<Run | null | undefined>(undefined);
  useEffect(() => {
    if (lastRunAt === null) {
      setRun(null);
      return;
    }
    const key = `${jobName}\u0000${lastRunAt}`;
    let p = cache.get(key);
    if (!p) {
      p = limited(() => api.listRuns({ job_name: jobName, limit: 1 })).then((l) => l.items[0] ?? null);
      p.catch(() => cache.delete(key));
      if (cache.size > 5000) cache.clear();
      cache.set(key, p);
    }
    let live = true;
    p.then(
      (r) => live && setRun(r),
      () => live && setRun(null),
    );
    return () => {
      live = false;
    };
  }, [api, jobName, lastRunAt]);
  return run;
}
