// Every command line the documentation shows a reader: the ```sh blocks of the README, the
// package READMEs and docs/, and the Examples of every `shellgate --help` page (issue 9,
// item 4: each one must run as written).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripShellComment } from './shell-words.js';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** One documented command line, wherever it appears. */
export interface DocExample {
  /** The command without its trailing comment; continuation lines joined. */
  readonly text: string;
  /** Where a reader meets it: `docs/cli.md:12`, `shellgate sandbox create --help`. */
  readonly sources: readonly string[];
}

/** The markdown pages a reader is pointed to, relative to the repository root. */
export function listDocPages(): string[] {
  const docs = readdirSync(join(REPO_ROOT, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`);
  const packages = readdirSync(join(REPO_ROOT, 'packages')).map((name) => `packages/${name}/README.md`);
  return ['README.md', ...docs, ...packages.filter((page) => existsSync(join(REPO_ROOT, page)))].sort();
}

/**
 * A usage synopsis (`shellgate sandbox get NAME`, `[--image IMG]`, `NAME...`) describes a
 * command's shape; it is not a line to paste. Quoted text is ignored, so JSON in an example
 * (`'["sleep","60"]'`) does not count.
 */
function isSynopsis(text: string): boolean {
  const unquoted = text.replace(/'[^']*'|"[^"]*"/g, '');
  return /\[|\.\.\.|<[a-z-]+>/.test(unquoted) || /(^|\s)(NAME|PATH|FILE|DIR|SEL|CMD)(\s|$)/.test(unquoted);
}

/** The example lines of the ```sh/```bash blocks of one page, with their line numbers. */
export function readMarkdownExamples(page: string): { text: string; source: string }[] {
  const lines = readFileSync(join(REPO_ROOT, page), 'utf8').split('\n');
  const found: { text: string; source: string }[] = [];
  let inShellBlock = false;
  let pending: { text: string; line: number } | undefined;
  lines.forEach((line, index) => {
    const fence = /^```(\w*)/.exec(line);
    if (fence !== null) {
      inShellBlock = !inShellBlock && (fence[1] === 'sh' || fence[1] === 'bash');
      return;
    }
    if (!inShellBlock) return;
    const joined = pending === undefined ? line : `${pending.text} ${line.trim()}`;
    const start = pending?.line ?? index + 1;
    if (joined.endsWith('\\')) {
      pending = { text: joined.slice(0, -1).trimEnd(), line: start };
      return;
    }
    pending = undefined;
    const text = stripShellComment(joined);
    if (text !== '' && !isSynopsis(text)) found.push({ text, source: `${page}:${start}` });
  });
  return found;
}

/** Merges sightings of the same command (spacing aside) into one example. */
export function mergeExamples(sightings: readonly { text: string; source: string }[]): DocExample[] {
  const byText = new Map<string, { text: string; sources: string[] }>();
  for (const { text, source } of sightings) {
    const key = text.replace(/\s+/g, ' ');
    const entry = byText.get(key) ?? { text: key, sources: [] };
    entry.sources.push(source);
    byText.set(key, entry);
  }
  return [...byText.values()];
}

/** The first ```toml block of a page: the config file its commands refer to. */
export function readTomlBlock(page: string): string {
  const match = /^```toml\n([\s\S]*?)^```/m.exec(readFileSync(join(REPO_ROOT, page), 'utf8'));
  if (match === null) throw new Error(`${page} has no toml example`);
  return match[1]!;
}
