// Plain-text tables and number formatting shared by the benchmarks in this folder.

/** 1234567 -> "1.23M", 45678 -> "45.7k", 123 -> "123". */
export function formatRate(x) {
  if (!Number.isFinite(x)) return 'n/a';
  if (x >= 1e9) return `${(x / 1e9).toFixed(2)}G`;
  if (x >= 1e6) return `${(x / 1e6).toFixed(x >= 1e8 ? 0 : x >= 1e7 ? 1 : 2)}M`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(x >= 1e5 ? 0 : x >= 1e4 ? 1 : 2)}k`;
  return x.toFixed(0);
}

/** 12.345 -> "12.3×". */
export function formatRatio(x) {
  if (!Number.isFinite(x)) return 'n/a';
  return `${x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2)}×`;
}

/** 0.0734 -> "7%". */
export function formatPct(x) {
  if (!Number.isFinite(x)) return 'n/a';
  return `${Math.round(x * 100)}%`;
}

/**
 * Renders rows as an aligned text table. The first column is left-aligned, the others right-aligned.
 * `markdown: true` renders a GitHub table (for pasting into a README).
 * @param {string[]} headers
 * @param {string[][]} rows   a row of one empty-string-only cell array renders a separator
 * @param {{ markdown?: boolean }} [options]
 */
export function formatTable(headers, rows, options = {}) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const cell = (s, i) => (i === 0 ? s.padEnd(widths[i]) : s.padStart(widths[i]));
  if (options.markdown) {
    const line = (r) => `| ${r.map((s, i) => cell(s ?? '', i)).join(' | ')} |`;
    const sep = `|${widths.map((w, i) => (i === 0 ? `${'-'.repeat(w + 1)}-` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
    return [line(headers), sep, ...rows.filter((r) => r.some((s) => s)).map(line)].join('\n');
  }
  const line = (r) => r.map((s, i) => cell(s ?? '', i)).join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(headers), rule, ...rows.map((r) => (r.some((s) => s) ? line(r) : rule))].join('\n');
}
