// A small path router under the page's prefix (`/ui/schedules/nightly`): real URLs that can be bookmarked and
// shared (the plugin answers every client route with the page), with the filters in the query string so back
// and forward restore them. The fragment is left alone: it carries the sign-in token.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { settings } from './settings.js';

/** Where the page is: the path below the prefix (`schedules/nightly`, '' for the list) and the query. */
export interface Location {
  path: string;
  query: URLSearchParams;
}

const listeners = new Set<() => void>();
const root = `${settings.prefix}/`;

function current(): Location {
  const pathname = window.location.pathname;
  const path = pathname.startsWith(root) ? pathname.slice(root.length) : '';
  return { path: path.replace(/\/+$/, ''), query: new URLSearchParams(window.location.search) };
}

window.addEventListener('popstate', () => {
  for (const l of listeners) l();
});

/** The URL of a client route (`schedules/x` → `/ui/schedules/x`). */
export function href(to: string): string {
  return `${root}${to.replace(/^\//, '')}`;
}

/** Goes to a client route (`replace`: without a new history entry, e.g. when only a filter changed). */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  const url = href(to);
  if (url === window.location.pathname + window.location.search) return;
  if (options.replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  for (const l of listeners) l();
}

/** The current location; re-renders on every navigation. */
export function useLocation(): Location {
  const [loc, setLoc] = useState(current);
  useEffect(() => {
    const update = () => setLoc(current());
    listeners.add(update);
    return () => {
      listeners.delete(update);
    };
  }, []);
  return loc;
}

/** `schedules/:name/edit` against `schedules/a%2Fb/edit` → `{ name: 'a/b' }`, or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/');
  const s = path === '' ? [''] : path.split('/');
  if (p.length !== s.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const want = p[i] as string;
    const got = s[i] as string;
    if (want.startsWith(':')) {
      if (got === '') return null;
      try {
        params[want.slice(1)] = decodeURIComponent(got);
      } catch {
        return null;
      }
    } else if (want !== got) return null;
  }
  return params;
}

/** The path of a schedule's page. */
export const scheduleHref = (name: string, suffix = '') => `schedules/${encodeURIComponent(name)}${suffix}`;
/** The path of a run's page. */
export const runHref = (id: string) => `runs/${encodeURIComponent(id)}`;

interface LinkProps {
  to: string;
  children?: ComponentChildren;
  class?: string;
  title?: string;
  'aria-label'?: string;
  'aria-current'?: 'page' | undefined;
}

/** A link to a client route: a real `<a href>` (open in a new tab works), navigated in place on a plain click. */
export function Link({ to, children, ...rest }: LinkProps) {
  return (
    <a
      {...rest}
      href={href(to)}
      onClick={(e) => {
        if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}
