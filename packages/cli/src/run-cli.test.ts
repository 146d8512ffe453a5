import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { CommandTreeNode } from './commands/command.js';
import { isCommand } from './commands/command.js';
import { COMMAND_TREE } from './commands/command-tree.js';
import { ExitCode } from './exit-code.js';
import { FakeGateway, makeSandbox, runShellgate } from './test-support/fake-gateway.test.helper.js';
import { SandboxPhase } from '@shellgate/api';

/** A local port nobody listens on: bind, note it, close. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  assert.ok(typeof address === 'object' && address !== null);
  return address.port;
}

function* walk(node: CommandTreeNode, path: string[] = []): Generator<[CommandTreeNode, string[]]> {
  yield [node, path];
  if (!isCommand(node)) for (const child of node.children) yield* walk(child, [...path, child.name]);
}

/** Every test here waits on a socket, a stream or a child process: a bound names the one that hangs. */
const SUITE_TIMEOUT_MS = 120_000;

describe('runCli', { timeout: SUITE_TIMEOUT_MS }, () => {
  it('--help works on every command and group: usage, flags, examples, exit codes', async () => {
    for (const [node, path] of walk(COMMAND_TREE)) {
      for (const helpFlag of ['--help', '-h']) {
        const result = await runShellgate([...path, helpFlag]);
        assert.equal(result.code, 0, path.join(' '));
        assert.equal(result.stderr, '');
        assert.match(result.stdout, new RegExp(`^Usage: ${['shellgate', ...path].join(' ')} `));
        assert.match(result.stdout, /Global flags:\n/);
        assert.match(result.stdout, /Exit codes:\n +0 {2}success\n/);
        assert.match(result.stdout, /124 {2}timed out/);
        if (isCommand(node)) {
          assert.ok(node.examples.length > 0, `${path.join(' ')} has examples`);
          for (const flag of node.flags) assert.ok(result.stdout.includes(`--${flag.name}`), `${path.join(' ')} documents --${flag.name}`);
        }
      }
    }
  });

  it('--help wins over other mistakes on the line', async () => {
    const result = await runShellgate(['sandbox', 'create', '--no-such-flag', '--help']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^Usage: shellgate sandbox create \[NAME\] \[flags\]/);
  });

  it('--version prints the package version', async () => {
    const result = await runShellgate(['--version']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^shellgate \d+\.\d+\.\d+\n$/);
  });

  it('usage errors exit 2 with what to do', async () => {
    const cases: Array<[string[], RegExp]> = [
      [[], /"shellgate" needs a command/],
      [['sandbox'], /"shellgate sandbox" needs a command/],
      [['sandboxes'], /unknown command "sandboxes" for "shellgate"; run 'shellgate --help'/],
      [['sandbox', 'list', '--bogus'], /unknown flag --bogus for "shellgate sandbox list"/],
      [['sandbox', 'list', '-o', 'xml'], /unknown format "xml"; use table, json or yaml/],
      [['sandbox', 'list', '--timeout', '30'], /--timeout: invalid duration "30"/],
      [['sandbox', 'list', '--gateway', 'ftp://x'], /--gateway: invalid gateway address/],
      [['sandbox', 'list', 'extra'], /unexpected arguments: "extra"/],
      [['gateway', 'info', '--', 'x'], /takes nothing after "--"/],
      [['sandbox', 'list', '--tls-cert', 'c.pem'], /--tls-cert and --tls-key go together/],
    ];
    for (const [argv, pattern] of cases) {
      const result = await runShellgate(argv);
      assert.equal(result.code, ExitCode.Usage, argv.join(' '));
      assert.match(result.stderr, pattern, argv.join(' '));
    }
  });

  it('an unreachable gateway exits 5 and says what to do', async () => {
    const port = await closedPort();
    const result = await runShellgate(['sandbox', 'list'], { env: { SHELLGATE_GATEWAY: `127.0.0.1:${port}` } });
    assert.equal(result.code, ExitCode.Unavailable);
    assert.equal(
      result.stderr,
      `error: cannot reach the gateway at 127.0.0.1:${port} (connection refused); is shellgate-gateway running? set --gateway or SHELLGATE_GATEWAY\n`,
    );
    assert.equal(result.stdout, '');
  });

  describe('Ctrl-C', () => {
    let gateway: FakeGateway;
    before(async () => {
      gateway = await FakeGateway.start({
        createSandbox: (call, callback) => callback(null, { sandbox: makeSandbox(call.request.name, SandboxPhase.SANDBOX_PHASE_PROVISIONING) }),
        watchSandbox: () => undefined, // never answers
      });
    });
    after(() => gateway.close());

    it('ends a --wait with exit 130', async () => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      const result = await runShellgate(['sandbox', 'create', 'x', '--wait'], { gateway: gateway.address, signal: controller.signal });
      assert.equal(result.code, ExitCode.Interrupted);
    });
  });
});
