import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { ApiError } from './api.js';

/** A value loaded from the API: the latest data (kept while reloading), the last error, and a reload. */
export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload: () => void;
}

/**
 * Loads with `load` whenever `key` changes (aborting the previous request) and on `reload()`. Data of the same
 * key stays on screen while a reload runs, so polling does not flicker.
 */
export function useData<T>(key: string, load: (signal: AbortSignal) => Promise<T>): Loaded<T> {
  const [state, setState] = useState<{ key: string; data?: T; error?: ApiError; loading: boolean }>({
    key,
    loading: true,
  });
  const [tick, setTick] = useState(0);
  const loader = useRef(load);
  loader.current = load;
  useEffect(() => {
    const ctl = new AbortController();
    setState((s) => (s.key === key ? { ...s, loading: true } : { key, loading: true }));
    loader.current(ctl.signal).then(
      (data) => {
        if (!ctl.signal.aborted) setState({ key, data, loading: false });
      },
      (error: unknown) => {
        if (ctl.signal.aborted || (error as Error).name === 'AbortError') return;
        setState((s) => ({ ...s, key, error: error as ApiError, loading: false }));
      },
    );
    return () => ctl.abort();
  }, [key, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  const same = state.key === key;
  return {
    data: same ? state.data : undefined,
    error: same ? state.error : undefined,
    loading: state.loading || !same,
    reload,
  };
}

/** `value`, updated only after it stopped changing for `ms` (search boxes, the cron preview). */
export function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}
