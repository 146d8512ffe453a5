import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { GLOBAL_FLAGS } from './args/flag-spec.js';
import { parseCommandLine } from './args/parse-command-line.js';
import type { CommandTreeNode } from './commands/command.js';
import { isCommand } from './commands/command.js';
import { COMMAND_TREE } from './commands/command-tree.js';
import { ENV_VAR_DESCRIPTIONS } from './env.js';
import { EXIT_CODE_DESCRIPTIONS } from './exit-code.js';

// STYLE.md rule 21: the README is tested against the code it documents.
const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** Table rows `| a | b |` under the heading `## title`. */
function tableRows(title: string): string[][] {
  const section = README.split(/^## /m).find((part) => part.startsWith(`${title}\n`)) ?? '';
  return section
    .split('\n')
    .filter((line) => line.startsWith('|') && !line.startsWith('|---'))
    .slice(1)
    .map((line) => line.split('|').slice(1, -1).map((cell) => cell.trim().replace(/`/g, '')));
}

/** Every `shellgate ...` line in the README's code blocks, split like a shell would (simply). */
function exampleCommands(): string[][] {
  const blocks = README.match(/```sh\n[\s\S]*?```/g) ?? [];
  return blocks
    .flatMap((block) => block.split('\n'))
    .filter((line) => line.startsWith('shellgate '))
    .map((line) => (line.match(/'[^']*'|\S+/g) ?? []).slice(1).map((word) => word.replace(/^'|'$/g, '')));
}

describe('README', () => {
  it('lists exactly the exit codes of exit-code.ts', () => {
    assert.deepEqual(tableRows('Exit codes'), EXIT_CODE_DESCRIPTIONS.map(([code, text]) => [String(code), text]));
  });

  it('lists exactly the environment variables of env.ts', () => {
    assert.deepEqual(tableRows('Environment'), ENV_VAR_DESCRIPTIONS.map(([name, text]) => [name, text]));
  });

  it('documents every global flag', () => {
    for (const flag of GLOBAL_FLAGS.filter((spec) => spec.name !== 'help' && spec.name !== 'version')) {
      assert.ok(README.includes(`--${flag.name}`), `--${flag.name}`);
    }
  });

  it('names every command, and its example lines parse', () => {
    const documented = exampleCommands();
    for (const group of COMMAND_TREE.children) {
      if (isCommand(group)) continue;
      for (const command of group.children) {
        assert.ok(documented.some((argv) => argv[0] === group.name && argv[1] === command.name), `${group.name} ${command.name}`);
      }
    }
    for (const argv of documented) {
      // Synopsis lines carry placeholders like [--wait] or NAME...; parse only the concrete examples.
      if (argv.some((word) => /^\[|\]$|\.\.\.$|^\||^[A-Z]+$/.test(word))) continue;
      const parsed = parseCommandLine<CommandTreeNode>(argv, COMMAND_TREE);
      const isMeta = parsed.flags.boolean('version') || parsed.isHelpRequested;
      assert.ok(isMeta || isCommand(parsed.node), argv.join(' '));
    }
  });
});
