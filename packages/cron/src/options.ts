import { CronOptionError } from './errors.js';
import type { CronOptions, DstGapPolicy, DstOverlapPolicy } from './types.js';

// The DST options as one small integer, so the hot paths test a number: 0 is the default (skip, first) and
// takes the original, fastest path.

/** `dstGap: 'shift'`. */
export const SHIFT = 1;
/** `dstOverlap: 'last'`. */
export const LAST = 2;
/** `dstOverlap: 'both'`. */
export const BOTH = 4;
/** Mask of the overlap bits. */
export const OVERLAP = LAST | BOTH;

const GAP_PROBLEM =
  'is not a DST gap policy; use "skip" (the default: a wall time that does not exist does not run that day) ' +
  'or "shift" (it runs once, at the first minute after the gap)';
const OVERLAP_PROBLEM =
  'is not a DST overlap policy; use "first" (the default: a wall time that occurs twice runs at its first ' +
  'occurrence), "last" (at its second) or "both"';

/**
 * Returns `value` as a {@link DstGapPolicy}, or throws {@link CronOptionError} naming `field` (for instance
 * `'dst_gap'` when validating a stored schedule). `undefined` is not accepted here: apply the default first.
 */
export function assertDstGap(value: unknown, field = 'dstGap'): DstGapPolicy {
  if (value === 'skip' || value === 'shift') return value;
  throw new CronOptionError(field, value, GAP_PROBLEM);
}

/**
 * Returns `value` as a {@link DstOverlapPolicy}, or throws {@link CronOptionError} naming `field` (for instance
 * `'dst_overlap'`). `undefined` is not accepted here: apply the default first.
 */
export function assertDstOverlap(value: unknown, field = 'dstOverlap'): DstOverlapPolicy {
  if (value === 'first' || value === 'last' || value === 'both') return value;
  throw new CronOptionError(field, value, OVERLAP_PROBLEM);
}

/**
 * The DST policy bits of `options` (0 when both options are absent or default). Throws CronOptionError for a
 * value outside the sets, and when `options` is neither an object nor undefined/null.
 */
export function dstPolicy(options: CronOptions | undefined): number {
  if (options === undefined || options === null) return 0;
  if (typeof options !== 'object') {
    throw new CronOptionError('options', options, 'is not an options object; pass e.g. { timezone: "UTC" }');
  }
  const gap = options.dstGap;
  const overlap = options.dstOverlap;
  let policy = 0;
  if (gap !== undefined && gap !== 'skip') {
    if (gap !== 'shift') throw new CronOptionError('dstGap', gap, GAP_PROBLEM);
    policy = SHIFT;
  }
  if (overlap !== undefined && overlap !== 'first') {
    if (overlap === 'last') policy |= LAST;
    else if (overlap === 'both') policy |= BOTH;
    else throw new CronOptionError('dstOverlap', overlap, OVERLAP_PROBLEM);
  }
  return policy;
}

/** The option names of policy bits, for echoing in results. */
export function policyNames(policy: number): { dstGap: DstGapPolicy; dstOverlap: DstOverlapPolicy } {
  return {
    dstGap: policy & SHIFT ? 'shift' : 'skip',
    dstOverlap: policy & LAST ? 'last' : policy & BOTH ? 'both' : 'first',
  };
}
