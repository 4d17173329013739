import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Api } from './api.js';
import type { Session } from './auth.js';
import type { LiveSource } from './live.js';

/** What every page needs: the signed-in session, the API client and the live source. */
export interface AppContext {
  session: Session;
  api: Api;
  live: LiveSource;
  /** Shows a short message (`role="status"`), e.g. "Run started". */
  notify: (message: string, kind?: 'ok' | 'error') => void;
}

export const Ctx = createContext<AppContext | null>(null);

/** The app context (pages render only when signed in). */
export function useApp(): AppContext {
  const ctx = useContext(Ctx);
  if (!ctx) throw new Error('useApp outside the signed-in app');
  return ctx;
}
