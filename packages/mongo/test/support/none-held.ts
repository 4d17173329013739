// After a lock call that failed: none of its keys may stay held. The freeing write goes out in the background (and
// only once the driver is connected again), so this waits for it, then checks that nothing takes a key later (a step
// of the failed call sent late).
import { expect } from 'vitest';
import type { DistributedLock } from '../../src/index.js';

/** Polls until none of `keys` is held (5 s at most), then checks that none is held 300 ms later. */
export async function expectNoneHeld(
  lock: DistributedLock,
  keys: readonly string[],
  message?: string,
): Promise<void> {
  const heldKeys = async () =>
    (await Promise.all(keys.map((k) => lock.inspect(k)))).filter((l) => l !== null).map((l) => l?.key);
  const end = Date.now() + 5000;
  while ((await heldKeys()).length > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  expect(await heldKeys(), message).toEqual([]);
  await new Promise((r) => setTimeout(r, 300));
  expect(await heldKeys(), message).toEqual([]);
}
