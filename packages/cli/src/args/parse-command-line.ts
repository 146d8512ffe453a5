import { UsageError } from '../errors.js';
import type { CommandNode, FlagSpec } from './flag-spec.js';
import { GLOBAL_FLAGS } from './flag-spec.js';
import type { FlagValue } from './parsed-flags.js';
import { ParsedFlags } from './parsed-flags.js';

/** A command line resolved against the command tree. */
export interface ParsedCommandLine<Node extends CommandNode> {
  /** The deepest node reached: a leaf command, or a group when no sub-command was named. */
  readonly node: Node;
  /** Names from the root to {@link node}, root excluded: `['sandbox', 'create']`. */
  readonly path: readonly string[];
  readonly flags: ParsedFlags;
  readonly positionals: readonly string[];
  /** Everything after a bare `--`, or undefined when there was none. */
  readonly afterDoubleDash: readonly string[] | undefined;
  /** True when -h/--help appears before any `--`; errors in the rest are then ignored. */
  readonly isHelpRequested: boolean;
}

/**
 * Walks `argv` against the command tree: words descend through groups, then become
 * positionals of the leaf; flags are the global ones plus the leaf's own, in any position
 * after the leaf is named (global ones anywhere). Supports `--flag value`, `--flag=value`,
 * `-o value`, `-ovalue` and `--`.
 */
export function parseCommandLine<Node extends CommandNode>(argv: readonly string[], root: Node): ParsedCommandLine<Node> {
  const doubleDashAt = argv.indexOf('--');
  const words = doubleDashAt < 0 ? argv : argv.slice(0, doubleDashAt);
  const isHelpRequested = words.includes('--help') || words.includes('-h');
  let node = root;
  const path: string[] = [];
  const values = new Map<string, FlagValue>();
  const positionals: string[] = [];
  let specs = flagsOf(root);

  for (let index = 0; index < words.length; index += 1) {
    const word = words[index] ?? '';
    if (!word.startsWith('-') || word === '-') {
      const child = node.children === undefined ? undefined : findChild(node, word);
      if (node.children !== undefined && child === undefined) {
        if (isHelpRequested) break;
        throw new UsageError(
          `unknown command "${word}" for "${commandName(path)}"`,
          `run '${commandName(path)} --help' to list commands`,
        );
      }
      if (child !== undefined) {
        node = child as Node;
        path.push(child.name);
        specs = flagsOf(child);
      } else {
        positionals.push(word);
      }
      continue;
    }
    const consumed = readFlag(words, index, specs, values, path);
    if (consumed < 0) {
      if (isHelpRequested) continue;
      throw new UsageError(
        `unknown flag ${flagText(word)} for "${commandName(path)}"`,
        `run '${commandName(path)} --help' to list its flags`,
      );
    }
    index += consumed;
  }
  return {
    node,
    path,
    flags: new ParsedFlags(values),
    positionals,
    afterDoubleDash: doubleDashAt < 0 ? undefined : argv.slice(doubleDashAt + 1),
    isHelpRequested,
  };
}

/** The flags a node accepts; a leaf's own flag shadows a global one of the same name (exec's --timeout). */
function flagsOf(node: CommandNode): readonly FlagSpec[] {
  return node.children === undefined ? [...(node.flags ?? []), ...GLOBAL_FLAGS] : GLOBAL_FLAGS;
}

function findChild(node: CommandNode, name: string): CommandNode | undefined {
  return node.children?.find((child) => child.name === name);
}

function commandName(path: readonly string[]): string {
  return ['shellgate', ...path].join(' ');
}

function flagText(word: string): string {
  const equalsAt = word.indexOf('=');
  return equalsAt < 0 ? word : word.slice(0, equalsAt);
}

/** Reads the flag at `words[index]` into `values`; returns how many extra words it used, or -1 if unknown. */
function readFlag(
  words: readonly string[],
  index: number,
  specs: readonly FlagSpec[],
  values: Map<string, FlagValue>,
  path: readonly string[],
): number {
  const word = words[index] ?? '';
  if (!word.startsWith('--')) return readShortFlags(words, index, specs, values, path);
  const equalsAt = word.indexOf('=');
  const name = equalsAt < 0 ? word.slice(2) : word.slice(2, equalsAt);
  const spec = specs.find((candidate) => candidate.name === name);
  if (spec === undefined) return -1;
  return storeFlag(spec, equalsAt < 0 ? undefined : word.slice(equalsAt + 1), words[index + 1], values, path);
}

/**
 * Reads `-o json`, `-ojson`, `-o=json` and bundles of switches such as `-it` (as docker
 * users type them): switches may be followed by more letters, and the first letter that
 * takes a value takes the rest of the word, or else the next word.
 */
function readShortFlags(
  words: readonly string[],
  index: number,
  specs: readonly FlagSpec[],
  values: Map<string, FlagValue>,
  path: readonly string[],
): number {
  const word = words[index] ?? '';
  for (let at = 1; at < word.length; at += 1) {
    const spec = specs.find((candidate) => candidate.short === word.charAt(at));
    if (spec === undefined) {
      if (at === 1) return -1;
      throw new UsageError(`unknown flag -${word.charAt(at)} in ${word} for "${commandName(path)}"`, `run '${commandName(path)} --help' to list its flags`);
    }
    const rest = word.slice(at + 1);
    if (spec.kind === 'boolean' && rest !== '' && !rest.startsWith('=')) {
      values.set(spec.name, true);
      continue;
    }
    return storeFlag(spec, rest === '' ? undefined : rest.replace(/^=/, ''), words[index + 1], values, path);
  }
  return 0;
}

/** Stores one flag's value (inline, or the next word); returns how many extra words it used. */
function storeFlag(
  spec: FlagSpec,
  inline: string | undefined,
  nextWord: string | undefined,
  values: Map<string, FlagValue>,
  path: readonly string[],
): number {
  if (spec.kind === 'boolean') {
    if (inline !== undefined) throw new UsageError(`flag --${spec.name} takes no value, got "${inline}"`);
    values.set(spec.name, true);
    return 0;
  }
  const value = inline ?? nextWord;
  if (value === undefined) {
    throw new UsageError(
      `flag --${spec.name} needs a value (${spec.valueName ?? 'VALUE'})`,
      `run '${commandName(path)} --help' for its usage`,
    );
  }
  if (spec.kind === 'list') {
    const previous = values.get(spec.name);
    values.set(spec.name, [...(Array.isArray(previous) ? (previous as string[]) : []), value]);
  } else {
    values.set(spec.name, value);
  }
  return inline === undefined ? 1 : 0;
}
