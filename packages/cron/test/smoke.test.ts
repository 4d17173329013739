import { expect, it } from 'vitest';
import { DEFAULT_TIMEZONE } from '../src/index.js';

it('defaults to Stockholm', () => {
  expect(DEFAULT_TIMEZONE).toBe('Europe/Stockholm');
});
