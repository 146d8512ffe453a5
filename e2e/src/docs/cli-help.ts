// What the built `shellgate` says about itself in --help: its commands, which flags take a
// value, and the Examples of every page. Read from the real binary, so the examples tested
// are the ones a user sees.
import { spawnSync } from 'node:child_process';
import { CLI_BIN } from '../harness/paths.js';

export interface CliHelp {
  /** Command paths with no subcommands: `sandbox create`, `gateway info`, ... */
  readonly leafCommands: ReadonlySet<string>;
  /** Flags that take a value, long and short: `--image`, `-w`, `--timeout`, ... */
  readonly valueFlags: ReadonlySet<string>;
  /** Each page's Examples, with the page they came from. */
  readonly examples: readonly { readonly text: string; readonly source: string }[];
}

function helpOf(path: readonly string[]): string {
  const result = spawnSync(process.execPath, [CLI_BIN, ...path, '--help'], {
    encoding: 'utf8',
    timeout: 20_000,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/nonexistent' },
  });
  if (result.status !== 0) throw new Error(`shellgate ${path.join(' ')} --help exited ${result.status}: ${result.stderr}`);
  return result.stdout;
}

/** The indented lines of a `Title:` section, up to the next blank line. */
function sectionLines(help: string, title: string): string[] {
  const lines = help.split('\n');
  const start = lines.indexOf(`${title}:`);
  if (start < 0) return [];
  const end = lines.findIndex((line, index) => index > start && line.trim() === '');
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

/** Walks `shellgate --help` and every command's help below it. */
export function readCliHelp(): CliHelp {
  const leafCommands = new Set<string>();
  const valueFlags = new Set<string>();
  const examples: { text: string; source: string }[] = [];
  const visit = (path: readonly string[]): void => {
    const help = helpOf(path);
    for (const line of [...sectionLines(help, 'Flags'), ...sectionLines(help, 'Global flags')]) {
      const match = /^\s+(?:(-[A-Za-z]), )?(--[a-z][a-z0-9-]*)(?: ([A-Z][A-Z0-9=_]*))?(?:\s|$)/.exec(line);
      if (match?.[3] === undefined) continue;
      valueFlags.add(match[2]!);
      if (match[1] !== undefined) valueFlags.add(match[1]);
    }
    for (const line of sectionLines(help, 'Examples')) examples.push({ text: line.trim(), source: `shellgate ${[...path, '--help'].join(' ')}` });
    const children = sectionLines(help, 'Commands').map((line) => line.trim().split(/\s+/)[0]!);
    if (children.length === 0 && path.length > 0) leafCommands.add(path.join(' '));
    for (const child of children) visit([...path, child]);
  };
  visit([]);
  return { leafCommands, valueFlags, examples };
}
