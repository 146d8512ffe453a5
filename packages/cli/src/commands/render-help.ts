import type { FlagSpec } from '../args/flag-spec.js';
import { GLOBAL_FLAGS } from '../args/flag-spec.js';
import { ENV_VAR_DESCRIPTIONS } from '../env.js';
import { EXIT_CODE_DESCRIPTIONS } from '../exit-code.js';
import type { CommandTreeNode } from './command.js';
import { isCommand } from './command.js';

/**
 * `--help` text for any node: usage, description, commands or flags, global flags,
 * examples; the root and every group also list environment variables and exit codes.
 */
export function renderHelp(node: CommandTreeNode, path: readonly string[]): string {
  const name = ['shellgate', ...path].join(' ');
  const sections: string[] = [];
  if (isCommand(node)) {
    sections.push(`Usage: ${name} ${node.usage}`, node.description === undefined ? node.summary : `${node.summary}.\n\n${wrap(node.description)}`);
    if (node.flags.length > 0) sections.push(`Flags:\n${renderFlags(node.flags)}`);
  } else {
    sections.push(`Usage: ${name} ${path.length === 0 ? 'COMMAND' : 'SUBCOMMAND'} [flags]`, node.summary);
    const width = Math.max(...node.children.map((child) => child.name.length));
    const lines = node.children.map((child) => `  ${child.name.padEnd(width)}   ${child.summary}`);
    sections.push(`Commands:\n${lines.join('\n')}`);
  }
  // A command's own flag of a global's name (exec's --timeout) replaces the global one.
  const globalFlags = isCommand(node) ? GLOBAL_FLAGS.filter((global) => !node.flags.some((own) => own.name === global.name)) : GLOBAL_FLAGS;
  sections.push(`Global flags:\n${renderFlags(globalFlags)}`);
  if (node.examples !== undefined && node.examples.length > 0) {
    sections.push(`Examples:\n${node.examples.map((example) => `  ${example}`).join('\n')}`);
  }
  if (!isCommand(node)) {
    sections.push(`Environment:\n${ENV_VAR_DESCRIPTIONS.map(([envVar, text]) => `  ${envVar.padEnd(22)} ${text}`).join('\n')}`);
  }
  sections.push(`Exit codes:\n${EXIT_CODE_DESCRIPTIONS.map(([code, text]) => `  ${String(code).padStart(3)}  ${text}`).join('\n')}`);
  if (!isCommand(node)) {
    sections.push(`Run '${name} ${path.length === 0 ? 'COMMAND' : 'SUBCOMMAND'} --help' for more about a command.`);
  }
  return `${sections.join('\n\n')}\n`;
}

function renderFlags(flags: readonly FlagSpec[]): string {
  const heads = flags.map((flag) => {
    const long = `--${flag.name}${flag.kind === 'boolean' ? '' : ` ${flag.valueName ?? 'VALUE'}`}`;
    return flag.short === undefined ? `      ${long}` : `  -${flag.short}, ${long}`;
  });
  const width = Math.max(...heads.map((head) => head.length));
  return flags.map((flag, index) => `${(heads[index] ?? '').padEnd(width)}   ${flag.description}`).join('\n');
}

/** Wraps a paragraph at 100 columns, for descriptions. */
function wrap(text: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line !== '' && line.length + 1 + word.length > 100) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines.join('\n');
}
