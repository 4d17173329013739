// The short chaos run of the test suite: 3 real craft-api processes, SIGKILLs, restarts, skewed clocks, about
// 45 s of chaos (45 minutes of schedule time), then the audit. Uses MONGODB_URI when the root `pnpm test` set it.
import { describe, expect, it } from 'vitest';
import { runChaos } from '../src/harness.mjs';
import { figureRows, formatFigures } from '../src/report.mjs';

describe('chaos (short): real processes, SIGKILL, restarts, ±30 s clock skew', () => {
  it('triggers every cron slot exactly once or records it skipped under its policy; nothing stuck', async () => {
    const result = await runChaos({
      durationMs: Number(process.env.CRAFT_CHAOS_SECONDS ?? 45) * 1000,
      processes: 3,
      schedules: 120,
      speed: 60,
      ...(process.env.CRAFT_CHAOS_SEED ? { seed: Number(process.env.CRAFT_CHAOS_SEED) } : {}),
      log: (line) => process.stderr.write(`chaos: ${line}\n`),
    });
    process.stderr.write(`\n${formatFigures(figureRows(result))}\n`);
    const f = result.figures;
    // The run really was chaotic and really ran schedules.
    expect(f.kills).toBeGreaterThan(3);
    expect(f.restarts).toBeGreaterThanOrEqual(f.kills);
    expect(f.skewedIncarnations).toBeGreaterThan(0);
    expect(f.slots).toBeGreaterThan(200);
    expect(f.executedSlots).toBeGreaterThan(50);
    // The proof.
    expect(result.violations).toEqual([]);
    expect(f.duplicates).toBe(0);
    expect(f.lost).toBe(0);
    expect(f.stuck).toBe(0);
    expect(f.overlaps).toBe(0);
    expect(f.executedSlots + f.skippedSlots).toBe(f.slots);
  });
});
