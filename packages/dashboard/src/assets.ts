// The prebuilt page in memory: read once per process (the files are immutable once built), compressed lazily
// once per file and encoding, served with a strong ETag.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { AssetsMissingError } from './errors.js';

/** One file of the page. */
export interface Asset {
  /** Path relative to the page's root, with `/` separators (`assets/index-3f2a.js`). */
  path: string;
  /** The Content-Type header. */
  type: string;
  /** The raw bytes. */
  body: Buffer;
  /** Strong ETag of the raw bytes. */
  etag: string;
  /** Compressed copies, made on first use (text types over 1 KiB only). */
  encoded: Partial<Record<'br' | 'gzip', Buffer>>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};
const COMPRESSIBLE = /^(text\/|image\/svg|application\/(json|manifest))/;

const cache = new Map<string, Map<string, Asset>>();

/** The files under `root`, keyed by their relative path; throws {@link AssetsMissingError} without an index.html. */
export function loadAssets(root: string): Map<string, Asset> {
  const hit = cache.get(root);
  if (hit) return hit;
  try {
    if (!statSync(join(root, 'index.html')).isFile()) throw new Error('not a file');
  } catch (error) {
    throw new AssetsMissingError(root, error);
  }
  const files = new Map<string, Asset>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) {
        const path = relative(root, full).split(sep).join('/');
        files.set(path, asset(path, readFileSync(full)));
      }
    }
  };
  walk(root);
  cache.set(root, files);
  return files;
}

/** An in-memory asset (also used for the page's index.html once the options are filled in). */
export function asset(path: string, body: Buffer): Asset {
  return {
    path,
    type: TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream',
    body,
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
    encoded: {},
  };
}

/**
 * The best body for `acceptEncoding`: brotli, else gzip, else the raw bytes. Small or binary files are never
 * compressed.
 */
export function negotiate(
  file: Asset,
  acceptEncoding: string | undefined,
): { body: Buffer; encoding?: 'br' | 'gzip' } {
  if (!COMPRESSIBLE.test(file.type) || file.body.length < 1024 || !acceptEncoding) return { body: file.body };
  const accepts = (name: string) =>
    new RegExp(`(^|[\\s,])${name}(?!;\\s*q=0(\\.0*)?\\s*(,|$))`, 'i').test(acceptEncoding);
  for (const encoding of ['br', 'gzip'] as const) {
    if (!accepts(encoding)) continue;
    let body = file.encoded[encoding];
    if (!body) {
      body =
        encoding === 'br'
          ? brotliCompressSync(file.body, { params: { [constants.BROTLI_PARAM_QUALITY]: 9 } })
          : gzipSync(file.body, { level: 9 });
      file.encoded[encoding] = body;
    }
    return { body, encoding };
  }
  return { body: file.body };
}
