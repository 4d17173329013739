import type { PackedPackage } from '../../src/pack.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Every published package, packed and unpacked once per run (test/setup/pack.mjs). */
    packed: PackedPackage[];
    /** The folder holding the tarballs. */
    packDir: string;
  }
}
