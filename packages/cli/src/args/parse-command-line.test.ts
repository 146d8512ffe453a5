import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COMMAND_TREE } from '../commands/command-tree.js';
import { isCommand } from '../commands/command.js';
import { resolveCliConfig } from '../config.js';
import type { CommandTreeNode } from '../commands/command.js';
import { isCliError } from '../errors.js';
import { ExitCode } from '../exit-code.js';
import { parseCommandLine } from './parse-command-line.js';
import { parseDuration, formatDuration, parseSeconds } from './parse-duration.js';
import { parseKeyValues } from './parse-key-values.js';

const parse = (...argv: string[]) => parseCommandLine<CommandTreeNode>(argv, COMMAND_TREE);

function assertUsageError(run: () => unknown, pattern: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(isCliError(error));
    assert.equal(error.exitCode, ExitCode.Usage);
    assert.match(error.message, pattern);
    return true;
  });
}

describe('parseCommandLine', () => {
  it('descends to the leaf and reads its flags in every spelling', () => {
    const parsed = parse('-o', 'json', 'sandbox', 'create', 'dev', '--image=node:20', '--env', 'A=1', '--env', 'B=2', '--wait', '--gateway', 'h:1');
    assert.equal(parsed.node.name, 'create');
    assert.deepEqual(parsed.path, ['sandbox', 'create']);
    assert.deepEqual(parsed.positionals, ['dev']);
    assert.equal(parsed.flags.string('image'), 'node:20');
    assert.deepEqual(parsed.flags.list('env'), ['A=1', 'B=2']);
    assert.equal(parsed.flags.boolean('wait'), true);
    assert.equal(parsed.flags.string('output'), 'json');
    assert.equal(parsed.flags.string('gateway'), 'h:1');
  });

  it('reads -ojson and -o=yaml and lets the last single value win', () => {
    assert.equal(parse('sandbox', 'list', '-ojson').flags.string('output'), 'json');
    assert.equal(parse('sandbox', 'list', '-o=yaml').flags.string('output'), 'yaml');
    assert.equal(parse('sandbox', 'list', '-o', 'json', '-o', 'yaml').flags.string('output'), 'yaml');
  });

  it('takes the next word as a value even when it starts with a dash', () => {
    assert.deepEqual(parse('sandbox', 'create', '--cmd', 'sh', '--cmd', '-c', '--cmd', 'echo hi').flags.list('cmd'), ['sh', '-c', 'echo hi']);
  });

  it('keeps what follows -- apart', () => {
    const parsed = parse('sandbox', 'create', 'dev', '--', 'claude', '--help');
    assert.deepEqual(parsed.afterDoubleDash, ['claude', '--help']);
    assert.equal(parsed.isHelpRequested, false);
  });

  it('rejects unknown commands, unknown flags, missing values and values on switches', () => {
    assertUsageError(() => parse('sandboxes'), /unknown command "sandboxes" for "shellgate"/);
    assertUsageError(() => parse('sandbox', 'frobnicate'), /unknown command "frobnicate" for "shellgate sandbox"/);
    assertUsageError(() => parse('sandbox', 'list', '--image', 'x'), /unknown flag --image for "shellgate sandbox list"/);
    assertUsageError(() => parse('sandbox', '--wait', 'create'), /unknown flag --wait for "shellgate sandbox"/);
    assertUsageError(() => parse('sandbox', 'create', '--image'), /--image needs a value \(IMG\)/);
    assertUsageError(() => parse('sandbox', 'create', '--wait=yes'), /--wait takes no value/);
  });

  it('with --help, resolves as far as it can and ignores the rest', () => {
    const parsed = parse('sandbox', 'create', '--bogus', '--help');
    assert.equal(parsed.isHelpRequested, true);
    assert.equal(parsed.node.name, 'create');
    assert.equal(parse('sandbox', 'nope', '-h').node.name, 'sandbox');
  });

  it('reads bundled switches (-it) and lets the first valued letter take the rest or the next word', () => {
    const bundled = parse('sandbox', 'exec', 'dev', '-it', '-ew=1', '-itw', '/srv', '--', 'sh');
    assert.equal(bundled.flags.boolean('interactive'), true);
    assert.equal(bundled.flags.boolean('tty'), true);
    assert.deepEqual(bundled.flags.list('env'), ['w=1']);
    assert.equal(bundled.flags.string('workdir'), '/srv');
    assert.deepEqual(bundled.afterDoubleDash, ['sh']);
    assertUsageError(() => parse('sandbox', 'exec', 'dev', '-iz'), /unknown flag -z in -iz for "shellgate sandbox exec"/);
  });

  it("gives a command's own flag precedence over a global of the same name, and config ignores it", () => {
    const exec = parse('sandbox', 'exec', 'dev', '--timeout', '30', '--', 'true');
    assert.equal(exec.flags.string('timeout'), '30');
    assert.ok(isCommand(exec.node));
    const config = resolveCliConfig(exec.flags, {}, exec.node.flags);
    assert.equal(config.explicitTimeoutMs, undefined);
    assert.equal(config.callTimeoutMs, 30_000);
    const list = parse('sandbox', 'list', '--timeout', '5s');
    assert.equal(resolveCliConfig(list.flags, {}).callTimeoutMs, 5_000);
  });

  it('checks integer flags', () => {
    assert.equal(parse('sandbox', 'list', '--limit', '10').flags.count('limit'), 10);
    assertUsageError(() => parse('sandbox', 'list', '--limit', '-1').flags.count('limit'), /--limit must be a non-negative integer/);
  });
});

describe('parseDuration', () => {
  it('reads units and sums compound durations', () => {
    assert.equal(parseDuration('500ms', '--timeout'), 500);
    assert.equal(parseDuration('30s', '--timeout'), 30_000);
    assert.equal(parseDuration('5m', '--timeout'), 300_000);
    assert.equal(parseDuration('1h', '--timeout'), 3_600_000);
    assert.equal(parseDuration('1m30s', '--timeout'), 90_000);
    assert.equal(parseDuration('1.5s', '--timeout'), 1500);
  });

  it('refuses bare numbers, unknown units and zero, naming the flag', () => {
    assertUsageError(() => parseDuration('30', '--timeout'), /--timeout: invalid duration "30"/);
    assertUsageError(() => parseDuration('3d', '--timeout'), /invalid duration/);
    assertUsageError(() => parseDuration('0s', '--timeout'), /more than zero/);
  });

  it('formats back', () => {
    assert.equal(formatDuration(200), '200ms');
    assert.equal(formatDuration(30_000), '30s');
    assert.equal(formatDuration(300_000), '5m');
    assert.equal(formatDuration(90_000), '1m30s');
    assert.equal(formatDuration(7_200_000), '2h');
  });
});

describe('parseSeconds', () => {
  it('reads bare seconds and durations rounded up to the second', () => {
    assert.equal(parseSeconds('30', '--timeout'), 30);
    assert.equal(parseSeconds('5m', '--timeout'), 300);
    assert.equal(parseSeconds('1.2s', '--timeout'), 2);
    assertUsageError(() => parseSeconds('0', '--timeout'), /more than zero/);
    assertUsageError(() => parseSeconds('-5', '--timeout'), /invalid time limit "-5"/);
  });
});

describe('parseKeyValues', () => {
  it('splits on the first = and lets a later key win', () => {
    assert.deepEqual(parseKeyValues(['A=1', 'B=x=y', 'A=2', 'C='], 'env'), { A: '2', B: 'x=y', C: '' });
  });

  it('refuses entries without a key', () => {
    assertUsageError(() => parseKeyValues(['=1'], 'env'), /--env "=1" is not KEY=VALUE/);
    assertUsageError(() => parseKeyValues(['novalue'], 'label'), /--label "novalue" is not KEY=VALUE/);
  });
});
