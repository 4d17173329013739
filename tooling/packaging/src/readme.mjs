// Code blocks of a README, read from the README itself (never copied into a test), so an example that stops
// working fails the check that runs it.
import { readFileSync } from 'node:fs';

/**
 * @typedef {object} CodeBlock
 * @property {string} lang the fence's info string (`ts`, `sh`, `text`, …; '' when none)
 * @property {string} code the block's content
 * @property {string} section the `##`/`###` heading the block sits under ('' before the first)
 */

/** Every fenced code block of a Markdown file, in order. @param {string} path @returns {CodeBlock[]} */
export function codeBlocks(path) {
  const lines = readFileSync(path, 'utf8').split('\n');
  /** @type {CodeBlock[]} */
  const blocks = [];
  let section = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const heading = /^(#{2,6})\s+(.*)$/.exec(line);
    if (heading) {
      section = line.trim();
      continue;
    }
    const fence = /^(`{3,})(.*)$/.exec(line);
    if (!fence) continue;
    const end = lines.findIndex((l, j) => j > i && l.startsWith(fence[1] ?? '```') && l.trim() === fence[1]);
    if (end < 0) throw new Error(`${path}: the code block opened on line ${i + 1} is never closed`);
    blocks.push({ lang: (fence[2] ?? '').trim(), code: `${lines.slice(i + 1, end).join('\n')}\n`, section });
    i = end;
  }
  return blocks;
}

/**
 * The first code block under the section `heading` (e.g. `## Usage`), of language `lang` when given.
 * @param {string} path
 * @param {string} heading
 * @param {string} [lang]
 */
export function firstBlock(path, heading, lang) {
  const block = codeBlocks(path).find(
    (b) => b.section === heading && (lang === undefined || b.lang === lang),
  );
  if (!block) throw new Error(`${path}: no ${lang ?? ''} code block under "${heading}"`);
  return block;
}
