import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { can } from '../lib/auth.js';
import { useApp } from '../lib/context.js';
import { globalControls } from '../lib/extensions.js';
import { useLiveMode } from '../lib/live.js';
import { Link, useLocation } from '../lib/router.js';
import { settings } from '../lib/settings.js';
import { applyTheme, isDark, storedTheme, type Theme } from '../lib/theme.js';

const NAV = [
  { to: '', label: 'Schedules', active: (p: string) => p === '' || p.startsWith('schedules') },
  { to: 'runs', label: 'Runs', active: (p: string) => p.startsWith('runs') },
  { to: 'types', label: 'Job types', active: (p: string) => p.startsWith('types') },
];

const NEXT_THEME: Record<Theme, Theme> = { auto: 'light', light: 'dark', dark: 'auto' };
const THEME_LABEL: Record<Theme, string> = {
  auto: 'Theme: system',
  light: 'Theme: light',
  dark: 'Theme: dark',
};

/** The frame of every signed-in page: header with navigation, who is signed in, theme and sign-out. */
export function Layout({ children, onSignOut }: { children: ComponentChildren; onSignOut: () => void }) {
  const { session, live } = useApp();
  const mode = useLiveMode(live);
  const { path } = useLocation();
  const [theme, setTheme] = useState<Theme>(storedTheme);
  const readOnly = !can(session, 'jobs:write') && !can(session, 'jobs:run');
  return (
    <>
      {/* The page has a <base href>, so "#main" alone would resolve against it: the click moves focus itself. */}
      {/* biome-ignore lint/a11y/useValidAnchor: a skip link is a link by convention (WCAG 2.4.1); its href still names the target */}
      <a
        class="skip-link"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          document.getElementById('main')?.focus();
        }}
      >
        Skip to content
      </a>
      <header class="topbar">
        <div class="topbar-inner">
          <Link to="" class="brand">
            <span class="brand-mark" aria-hidden="true" />
            {settings.title}
          </Link>
          <nav aria-label="Main">
            <ul class="nav">
              {NAV.map((n) => (
                <li key={n.label}>
                  <Link to={n.to} aria-current={n.active(path) ? 'page' : undefined}>
                    {n.label}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
          <div class="topbar-end">
            {globalControls.map((c) => (
              <c.component key={c.id} canUse={can(session, c.scope)} />
            ))}
            <span
              class="live-mode muted"
              title={
                mode === 'stream'
                  ? 'Changes appear as they happen (event stream)'
                  : 'The event stream is not available: the page refreshes every 5 s'
              }
            >
              {mode === 'stream' ? 'Live' : 'Auto-refresh'}
            </span>
            {readOnly ? (
              <span class="badge badge-readonly" title="Your token has no jobs:write or jobs:run scope">
                Read-only
              </span>
            ) : null}
            <span class="who" title={`Scopes: ${session.scopes.join(' ') || 'none'}`}>
              {session.subject ?? 'signed in'}
            </span>
            <button
              type="button"
              class="btn btn-ghost btn-small"
              aria-label={`${THEME_LABEL[theme]} (${isDark(theme) ? 'dark' : 'light'} now); switch`}
              title={THEME_LABEL[theme]}
              onClick={() => {
                const next = NEXT_THEME[theme];
                applyTheme(next);
                setTheme(next);
              }}
            >
              {theme === 'auto' ? '◐' : theme === 'light' ? '☀' : '☾'}
            </button>
            <button type="button" class="btn btn-ghost btn-small" onClick={onSignOut}>
              Sign out
            </button>
          </div>
        </div>
      </header>
      {globalControls.map((c) => (c.banner ? <c.banner key={`banner-${c.id}`} /> : null))}
      <main id="main" class="content" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
