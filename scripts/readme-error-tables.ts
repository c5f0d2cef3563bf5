/**
 * `npx tsx scripts/readme-error-tables.ts`: rewrites the README's three "errors: retry or not"
 * tables from the classification tables in code (`renderTwilioErrorTable`, `renderMetaErrorTable`,
 * `renderDialog360ErrorTable`). The README shows what the code does, not what someone remembered:
 * `test/unit/providers/readme-error-tables.test.ts` fails when they differ.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { renderDialog360ErrorTable, renderMetaErrorTable } from '../lambdas/providers/whatsapp/cloud-api/errors';
import { renderTwilioErrorTable } from '../lambdas/providers/whatsapp/twilio/send/errors';

export const README_PATH = resolve(__dirname, '..', 'README.md');

/** Each generated table: the README heading it sits under (a prefix of the heading line) and its renderer. */
export const README_ERROR_TABLES: ReadonlyArray<{ heading: string; render: () => string }> = [
  { heading: '### Twilio errors: retry or not', render: renderTwilioErrorTable },
  { heading: '### Meta errors: retry or not', render: renderMetaErrorTable },
  { heading: '### 360dialog errors: retry or not', render: renderDialog360ErrorTable },
];

/** The heading or its table is missing: the README was restructured, and this list must follow. */
export class ReadmeTableNotFoundError extends Error {}

/**
 * Where the first Markdown table under `heading` is, as line indexes `[start, end)`.
 * @throws ReadmeTableNotFoundError
 */
function tableRange(lines: readonly string[], heading: string): [number, number] {
  const at = lines.findIndex((line) => line.startsWith(heading));
  if (at < 0) throw new ReadmeTableNotFoundError(`README has no heading "${heading}"`);
  let start = at + 1;
  // The table must come before the next heading of any level.
  while (start < lines.length && !lines[start]!.startsWith('|')) {
    if (lines[start]!.startsWith('#')) throw new ReadmeTableNotFoundError(`README has no table under "${heading}"`);
    start++;
  }
  if (start === lines.length) throw new ReadmeTableNotFoundError(`README has no table under "${heading}"`);
  let end = start;
  while (end < lines.length && lines[end]!.startsWith('|')) end++;
  return [start, end];
}

/**
 * The table under a README heading, as it is written.
 * @example readmeTable(readFileSync('README.md', 'utf8'), '### Meta errors: retry or not').split('\n')[0] // '| Meta code / answer | …'
 */
export function readmeTable(readme: string, heading: string): string {
  const lines = readme.split('\n');
  const [start, end] = tableRange(lines, heading);
  return lines.slice(start, end).join('\n');
}

/**
 * The README with every generated table replaced by what the code renders now.
 * @example writeFileSync('README.md', withErrorTables(readFileSync('README.md', 'utf8')))
 */
export function withErrorTables(readme: string): string {
  let lines = readme.split('\n');
  for (const { heading, render } of README_ERROR_TABLES) {
    const [start, end] = tableRange(lines, heading);
    lines = [...lines.slice(0, start), ...render().split('\n'), ...lines.slice(end)];
  }
  return lines.join('\n');
}

if (require.main === module) {
  const before = readFileSync(README_PATH, 'utf8');
  const after = withErrorTables(before);
  if (after === before) {
    console.log('README error tables are up to date');
  } else {
    writeFileSync(README_PATH, after);
    console.log('README error tables rewritten from the code');
  }
}
