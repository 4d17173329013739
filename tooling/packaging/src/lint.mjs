// publint and Are the Types Wrong (attw) on a packed tarball, as lists of readable problems ([] = clean).
import { readFileSync } from 'node:fs';
import { checkPackage, createPackageFromTarballData } from '@arethetypeswrong/core';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';

/** publint (strict: warnings count, suggestions too) on the tarball's exact contents. @param {string} tarball */
export async function publintProblems(tarball) {
  const bytes = readFileSync(tarball);
  const { messages, pkg } = await publint({
    pack: { tarball: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) },
    level: 'suggestion',
    strict: true,
  });
  return messages.map((m) => `publint ${m.type} ${m.code}: ${formatMessage(m, pkg, { color: false })}`);
}

/**
 * attw (the engine of `@arethetypeswrong/cli`, whose `--format json` output is cut at 64 KiB when piped) with the
 * CLI's `esm-only` profile: our packages are ES modules only, so two results are expected and not problems —
 * `node10` resolution (TypeScript's deprecated `moduleResolution: node`, which cannot see `exports` subpaths) and
 * `CJSResolvesToESM` under `node16-cjs` (a CommonJS file that requires us gets ES modules: Node.js >= 22.12 loads
 * them with `require()`, which the install test proves). Everything else is a problem.
 * @param {string} tarball
 */
export async function attwProblems(tarball) {
  const result = await checkPackage(createPackageFromTarballData(new Uint8Array(readFileSync(tarball))));
  if (!result.types) return [];
  return result.problems
    .filter((p) => !('resolutionKind' in p) || p.resolutionKind !== 'node10')
    .filter(
      (p) => !(p.kind === 'CJSResolvesToESM' && 'resolutionKind' in p && p.resolutionKind === 'node16-cjs'),
    )
    .map((p) => `attw ${p.kind}: ${JSON.stringify(p)}`);
}
