/** Placeholder while the parser lands. */
export const DEFAULT_TIMEZONE = 'Europe/Stockholm';
