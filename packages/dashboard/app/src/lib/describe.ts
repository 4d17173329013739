import { describeCron } from '@craft/cron';

const cache = new Map<string, string>();

/**
 * The expression in words, by the same `@craft/cron` code the server runs (bundled: no request per row).
 * An expression that no longer parses (edited straight in the database) says so.
 */
export function describe(expression: string): string {
  let text = cache.get(expression);
  if (text === undefined) {
    try {
      text = describeCron(expression);
    } catch {
      text = 'Invalid expression';
    }
    if (cache.size > 2000) cache.clear();
    cache.set(expression, text);
  }
  return text;
}
