import { useEffect, useState } from 'preact/hooks';
import type { Api } from './api.js';

let cached: Promise<string> | undefined;

/**
 * The zone the scheduler evaluates a schedule without a `timezone` in (SCHEDULER_TIMEZONE). The API says it in
 * every preview's `timezone`: a preview of any expression without a zone answers it.
 */
export function useDefaultZone(api: Api): string | undefined {
  const [zone, setZone] = useState<string | undefined>(undefined);
  useEffect(() => {
    cached ??= api
      .previewCron({ cron_expression: '0 0 * * *', count: 1 })
      .then((p) => p.timezone)
      .catch((error: unknown) => {
        cached = undefined;
        throw error;
      });
    let live = true;
    cached.then(
      (z) => live && setZone(z),
      () => live && setZone('UTC'),
    );
    return () => {
      live = false;
    };
  }, [api]);
  return zone;
}
