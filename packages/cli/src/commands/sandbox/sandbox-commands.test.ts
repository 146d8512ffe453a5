import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { status } from '@grpc/grpc-js';
import type { CreateSandboxRequest, ListSandboxesRequest } from '@shellgate/api';
import { SandboxPhase } from '@shellgate/api';
import { parse as parseYaml } from 'yaml';
import { FakeGateway, grpcError, makeSandbox, runShellgate } from '../../test-support/fake-gateway.test.helper.js';

const PROVISIONING = SandboxPhase.SANDBOX_PHASE_PROVISIONING;
const READY = SandboxPhase.SANDBOX_PHASE_READY;

describe('sandbox commands against a fake gateway', () => {
  let gateway: FakeGateway;
  const existing = new Set(['dev', 'web']);

  before(async () => {
    gateway = await FakeGateway.start({
      createSandbox: (call, callback) => {
        const name = call.request.name || 'sandbox-gen1';
        if (call.request.spec?.environment['BAD'] !== undefined) {
          callback(grpcError(status.INVALID_ARGUMENT, 'spec.environment["BAD"]: key is reserved'));
        } else if (existing.has(name)) {
          callback(grpcError(status.ALREADY_EXISTS, `sandbox ${name} exists`));
        } else {
          callback(null, { sandbox: makeSandbox(name, PROVISIONING, { image: call.request.spec?.template?.image }) });
        }
      },
      getSandbox: (call, callback) => {
        if (!existing.has(call.request.name)) callback(grpcError(status.NOT_FOUND, 'no such sandbox'));
        else callback(null, { sandbox: makeSandbox(call.request.name, READY, { driver: 'docker' }) });
      },
      listSandboxes: (_call, callback) => {
        callback(null, { sandboxes: [makeSandbox('dev', READY), makeSandbox('web', PROVISIONING, { image: 'nginx' })] });
      },
      deleteSandbox: (call, callback) => {
        // An older gateway's answer for a name it does not hold.
        if (call.request.name === 'legacy-missing') callback(null, { deleted: false });
        else if (!existing.has(call.request.name)) callback(grpcError(status.NOT_FOUND, 'gone'));
        else callback(null, { deleted: true });
      },
      stopSandbox: (call, callback) => {
        if (call.request.name === 'web') callback(grpcError(status.FAILED_PRECONDITION, 'stop is allowed only from Ready; phase is Provisioning'));
        else callback(null, { sandbox: makeSandbox(call.request.name, SandboxPhase.SANDBOX_PHASE_STOPPING) });
      },
      startSandbox: (call, callback) => callback(null, { sandbox: makeSandbox(call.request.name, SandboxPhase.SANDBOX_PHASE_STARTING) }),
    });
  });
  after(() => gateway.close());

  const run = (...argv: string[]) => runShellgate(argv, { gateway: gateway.address });
  const lastRequest = <T>(method: string): T => gateway.requests(method).at(-1) as T;

  it('create builds resources as {limits:{cpu,memory}} and driver_config as {<driver>:{...}}', async () => {
    const result = await run(
      'sandbox', 'create', 'box1', '--workspace', 'team',
      '--image', 'node:20', '--env', 'A=1', '--env', 'B=x=y', '--label', 'team=ml', '--annotation', 'note=hi',
      '--cpu', '500m', '--memory', '1Gi', '--driver', 'docker', '--driver-config', '{"network":"none","mounts":[1]}',
      '--cmd', 'sleep', '--cmd', '60', '--tty',
    );
    assert.equal(result.code, 0, result.stderr);
    const request = lastRequest<CreateSandboxRequest>('createSandbox');
    assert.equal(request.name, 'box1');
    assert.equal(request.workspace, 'team');
    assert.deepEqual(request.labels, { team: 'ml' });
    assert.deepEqual(request.annotations, { note: 'hi' });
    assert.deepEqual(request.spec?.environment, { A: '1', B: 'x=y' });
    assert.deepEqual(request.spec?.command, ['sleep', '60']);
    assert.equal(request.spec?.tty, true);
    assert.equal(request.spec?.template?.image, 'node:20');
    assert.deepEqual(request.spec?.template?.resources, { limits: { cpu: '500m', memory: '1Gi' } });
    assert.deepEqual(request.spec?.template?.driverConfig, { docker: { network: 'none', mounts: [1] } });
    assert.match(result.stdout, /^NAME +WORKSPACE +PHASE +IMAGE +AGE\nbox1 +default +Provisioning +node:20 +10s\n$/);
  });

  it('create with no name and no options sends an empty name and no resources or driver', async () => {
    const result = await run('sandbox', 'create', '--command-json', '["python","-m","http.server"]', '-o', 'json');
    assert.equal(result.code, 0, result.stderr);
    const request = lastRequest<CreateSandboxRequest>('createSandbox');
    assert.equal(request.name, '');
    assert.equal(request.workspace, 'default');
    assert.deepEqual(request.spec?.command, ['python', '-m', 'http.server']);
    assert.equal(request.spec?.template?.resources, undefined);
    assert.equal(request.spec?.template?.driverConfig, undefined);
    assert.equal((JSON.parse(result.stdout) as { metadata: { name: string } }).metadata.name, 'sandbox-gen1');
  });

  it('create refuses bad input before calling the gateway (exit 2)', async () => {
    const before = gateway.requests('createSandbox').length;
    const cases: Array<[string[], RegExp]> = [
      [['--cpu', 'lots'], /--cpu "lots" is not a quantity/],
      [['--driver-config', '{}'], /--driver-config needs --driver/],
      [['--driver', 'docker', '--driver-config', '[1]'], /--driver-config must be a JSON object/],
      [['--driver', 'docker', '--driver-config', '{nope'], /--driver-config is not valid JSON/],
      [['--cmd', 'a', '--command-json', '["b"]'], /cannot be combined/],
      [['--command-json', '"sh"'], /non-empty JSON array of strings/],
      [['--env', 'NOEQUALS'], /--env "NOEQUALS" is not KEY=VALUE/],
      [['a', 'b'], /unexpected arguments: "b"/],
      [['x', '--'], /needs a command after "--"/],
    ];
    for (const [args, pattern] of cases) {
      const result = await run('sandbox', 'create', ...args);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, pattern);
    }
    assert.equal(gateway.requests('createSandbox').length, before);
  });

  it('create maps ALREADY_EXISTS to 4 and INVALID_ARGUMENT to 2 with the server message', async () => {
    const exists = await run('sandbox', 'create', 'dev');
    assert.equal(exists.code, 4);
    assert.match(exists.stderr, /^error: sandbox "dev" already exists in workspace "default"; pick another name/);
    const invalid = await run('sandbox', 'create', 'ok', '--env', 'BAD=1');
    assert.equal(invalid.code, 2);
    assert.equal(invalid.stderr, 'error: invalid request: spec.environment["BAD"]: key is reserved\n');
  });

  it('get prints a table row with DRIVER, or the canonical JSON / YAML', async () => {
    const table = await run('sandbox', 'get', 'dev');
    assert.equal(table.code, 0, table.stderr);
    assert.equal(table.stdout, 'NAME   WORKSPACE   PHASE   DRIVER   IMAGE      AGE\ndev    default     Ready   docker   alpine:3   10s\n');
    const json = await run('sandbox', 'get', 'dev', '-o', 'json');
    const parsed = JSON.parse(json.stdout) as { metadata: { id: string }; status: { phase: string }; spec: { template: { driverConfig: unknown } } };
    assert.equal(parsed.metadata.id, 'id-dev');
    assert.equal(parsed.status.phase, 'SANDBOX_PHASE_READY');
    assert.deepEqual(parsed.spec.template.driverConfig, { docker: {} });
    const yaml = await run('sandbox', 'get', 'dev', '-o', 'yaml');
    assert.deepEqual(parseYaml(yaml.stdout), parsed);
  });

  it('get of a missing sandbox exits 3 naming it and the workspace', async () => {
    const result = await run('sandbox', 'get', 'nope');
    assert.equal(result.code, 3);
    assert.match(result.stderr, /^error: sandbox "nope" not found in workspace "default"/);
    assert.equal(result.stdout, '');
  });

  it('list sends selector, workspace scope and paging, and prints every format', async () => {
    const table = await run('sandbox', 'list', '-l', 'team=ml', '--all-workspaces', '--limit', '5', '--offset', '10');
    assert.equal(table.code, 0, table.stderr);
    assert.deepEqual(lastRequest<ListSandboxesRequest>('listSandboxes'), {
      limit: 5, offset: 10, labelSelector: 'team=ml', workspace: 'default', allWorkspaces: true,
    });
    assert.equal(table.stdout, 'NAME   WORKSPACE   PHASE          IMAGE      AGE\ndev    default     Ready          alpine:3   10s\nweb    default     Provisioning   nginx      10s\n');
    const json = JSON.parse((await run('sandbox', 'list', '-o', 'json')).stdout) as { sandboxes: unknown[] };
    assert.equal(json.sandboxes.length, 2);
    const yaml = parseYaml((await run('sandbox', 'list', '-o', 'yaml')).stdout) as { sandboxes: unknown[] };
    assert.deepEqual(yaml, json);
  });

  it('delete deletes each name, reports failures, and exits with the first failure', async () => {
    const result = await run('sandbox', 'delete', 'dev', 'nope', 'web');
    assert.equal(result.code, 3);
    assert.equal(result.stdout, 'sandbox "dev" deleted\nsandbox "web" deleted\n');
    assert.match(result.stderr, /error: sandbox "nope" not found in workspace "default"/);
    assert.deepEqual(gateway.requests('deleteSandbox').slice(-3).map((request) => (request as { name: string }).name), ['dev', 'nope', 'web']);
    const json = await run('sandbox', 'delete', 'dev', '-o', 'json');
    assert.deepEqual(JSON.parse(json.stdout), [{ name: 'dev', workspace: 'default', deleted: true }]);
  });

  it('delete of a name the gateway does not hold says not found and exits 3, also when answered deleted=false', async () => {
    for (const name of ['nosuch', 'legacy-missing']) {
      const result = await run('sandbox', 'delete', name);
      assert.equal(result.code, 3, result.stderr);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, new RegExp(`error: sandbox "${name}" not found in workspace "default"`));
    }
  });

  it('stop and start print the sandbox; a refused stop exits 4 with the reason', async () => {
    const stop = await run('sandbox', 'stop', 'dev');
    assert.equal(stop.code, 0, stop.stderr);
    assert.match(stop.stdout, /dev +default +Stopping/);
    const start = await run('sandbox', 'start', 'dev');
    assert.match(start.stdout, /dev +default +Starting/);
    const refused = await run('sandbox', 'stop', 'web');
    assert.equal(refused.code, 4);
    assert.match(refused.stderr, /StopSandbox of sandbox "web" conflicts with its current state: stop is allowed only from Ready/);
  });

  it('needs NAME where the usage says so (exit 2)', async () => {
    for (const verb of ['get', 'delete', 'stop', 'start', 'watch']) {
      const result = await run('sandbox', verb);
      assert.equal(result.code, 2, verb);
      assert.match(result.stderr, new RegExp(`"shellgate sandbox ${verb}" needs NAME`));
    }
  });
});
