import { useEffect, useMemo, useState } from 'preact/hooks';
import { Layout } from './components/layout.js';
import { SignIn } from './components/sign-in.js';
import { Api } from './lib/api.js';
import {
  clearSession,
  decodeToken,
  loadSession,
  type Session,
  saveSession,
  takeTokenFromUrl,
} from './lib/auth.js';
import { type AppContext, Ctx } from './lib/context.js';
import { createLiveSource } from './lib/live.js';
import { settings } from './lib/settings.js';
import { Routes } from './routes.js';

/** The session at start: a `#token=` in the URL wins over the stored one (and is removed from the URL). */
function initialSession(): { session: Session | null; message: string | null } {
  const fromUrl = takeTokenFromUrl();
  if (fromUrl !== null) {
    const s = decodeToken(fromUrl);
    if (typeof s === 'string') return { session: null, message: `The link's token cannot be used: ${s}` };
    saveSession(s);
    return { session: s, message: null };
  }
  return { session: loadSession(), message: null };
}

export function App() {
  const [{ session, message }, setState] = useState(initialSession);
  const [toast, setToast] = useState<{ text: string; kind: 'ok' | 'error'; n: number } | null>(null);

  const signOut = (why: string | null) => {
    clearSession();
    setState({ session: null, message: why });
  };

  const ctx = useMemo<AppContext | null>(() => {
    if (!session) return null;
    const api = new Api(settings.apiBase, session.token, (error) =>
      signOut(
        error.code === 'CRAFT_API_AUTH_EXPIRED'
          ? 'Your token has expired. Sign in with a new one.'
          : `The API no longer accepts your token: ${error.message}`,
      ),
    );
    return {
      session,
      api,
      live: createLiveSource(api),
      notify: (text, kind = 'ok') => setToast((t) => ({ text, kind, n: (t?.n ?? 0) + 1 })),
    };
  }, [session]);

  useEffect(() => {
    if (!toast) return;
    const t = setTimeout(() => setToast(null), 6000);
    return () => clearTimeout(t);
  }, [toast]);

  if (!ctx) {
    return (
      <SignIn
        message={message}
        onSignedIn={(s) => {
          saveSession(s);
          setState({ session: s, message: null });
        }}
      />
    );
  }
  return (
    <Ctx.Provider value={ctx}>
      <Layout onSignOut={() => signOut(null)}>
        <Routes />
      </Layout>
      <div class="toast-region" role="status" aria-live="polite">
        {toast ? (
          <div key={toast.n} class={`toast toast-${toast.kind}`}>
            {toast.text}
          </div>
        ) : null}
      </div>
    </Ctx.Provider>
  );
}
