// Light and dark: the system's preference (prefers-color-scheme) unless the user picks one; the pick is kept in
// localStorage. The stylesheet reads `<html data-theme="auto|light|dark">`.

export type Theme = 'auto' | 'light' | 'dark';
const KEY = 'craft-dashboard:theme';

/** The stored choice (default `auto`). */
export function storedTheme(): Theme {
  try {
    const v = localStorage.getItem(KEY);
    return v === 'light' || v === 'dark' ? v : 'auto';
  } catch {
    return 'auto';
  }
}

/** Applies and stores a choice. */
export function applyTheme(theme: Theme): void {
  document.documentElement.dataset['theme'] = theme;
  try {
    if (theme === 'auto') localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, theme);
  } catch {
    // not persisted
  }
}

/** Whether the page currently shows dark colours. */
export function isDark(theme: Theme): boolean {
  return theme === 'dark' || (theme === 'auto' && window.matchMedia('(prefers-color-scheme: dark)').matches);
}
