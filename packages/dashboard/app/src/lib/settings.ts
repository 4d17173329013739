/** What the plugin tells the page, in `<meta name="craft-dashboard" content="{…}">` (no inline script: CSP). */
export interface Settings {
  /** The path the page is served under, e.g. `/ui`. */
  prefix: string;
  /** Prepended to API paths: `''` (same origin, root), `/api`, or an absolute URL. */
  apiBase: string;
  /** The title shown in the header. */
  title: string;
}

const DEFAULTS: Settings = { prefix: '/ui', apiBase: '', title: 'Craft Scheduler' };

/** The settings of this page (defaults when the meta element is missing or broken). */
export function readSettings(): Settings {
  const content = document.querySelector('meta[name="craft-dashboard"]')?.getAttribute('content');
  if (!content) return DEFAULTS;
  try {
    return { ...DEFAULTS, ...(JSON.parse(content) as Partial<Settings>) };
  } catch {
    return DEFAULTS;
  }
}

/** The settings, read once at start. */
export const settings: Settings = readSettings();
