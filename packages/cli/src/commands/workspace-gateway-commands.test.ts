import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { status } from '@grpc/grpc-js';
import { ServiceStatus, Workspace, WorkspacePhase } from '@shellgate/api';
import { parse as parseYaml } from 'yaml';
import { FakeGateway, grpcError, runShellgate, T0_MS } from '../test-support/fake-gateway.test.helper.js';

const workspace = (name: string, labels: Record<string, string> = {}) =>
  Workspace.fromPartial({ metadata: { id: `ws-${name}`, name, createdAtMs: T0_MS, labels }, status: { phase: WorkspacePhase.WORKSPACE_PHASE_ACTIVE } });

describe('workspace and gateway commands against a fake gateway', () => {
  let gateway: FakeGateway;
  let healthStatus = ServiceStatus.SERVICE_STATUS_HEALTHY;

  before(async () => {
    gateway = await FakeGateway.start({
      createWorkspace: (call, callback) => callback(null, { workspace: workspace(call.request.name, call.request.labels) }),
      getWorkspace: (call, callback) =>
        call.request.name === 'default' ? callback(null, { workspace: workspace('default') }) : callback(grpcError(status.NOT_FOUND, 'no')),
      listWorkspaces: (_call, callback) => callback(null, { workspaces: [workspace('default'), workspace('team-ml', { owner: 'ml' })] }),
      deleteWorkspace: (_call, callback) => callback(null, { deleted: true }),
      health: (_call, callback) => callback(null, { status: healthStatus, version: '0.9.0' }),
      getGatewayInfo: (_call, callback) =>
        callback(null, {
          status: ServiceStatus.SERVICE_STATUS_HEALTHY,
          gatewayVersion: '0.9.0',
          computeDrivers: [{ name: 'docker', capabilities: { driverName: 'shellgate-driver-docker', driverVersion: '0.1.0' } }],
        }),
    });
  });
  after(() => gateway.close());

  const run = (...argv: string[]) => runShellgate(argv, { gateway: gateway.address });

  it('workspace create sends name and labels and prints the table', async () => {
    const result = await run('workspace', 'create', 'team-ml', '--label', 'owner=ml');
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(gateway.requests('createWorkspace').at(-1), { name: 'team-ml', labels: { owner: 'ml' } });
    assert.equal(result.stdout, 'NAME      PHASE    LABELS     AGE\nteam-ml   Active   owner=ml   10s\n');
  });

  it('workspace get / list / delete, in every format', async () => {
    assert.match((await run('workspace', 'get', 'default')).stdout, /^default +Active +<none> +10s$/m);
    const missing = await run('workspace', 'get', 'nope');
    assert.equal(missing.code, 3);
    assert.match(missing.stderr, /^error: workspace "nope" not found\n$/);
    const list = await run('workspace', 'list', '-l', 'owner=ml', '--limit', '2', '-o', 'yaml');
    assert.deepEqual(gateway.requests('listWorkspaces').at(-1), { labelSelector: 'owner=ml', limit: 2, offset: 0 });
    const parsed = parseYaml(list.stdout) as { workspaces: Array<{ metadata: { name: string } }> };
    assert.deepEqual(parsed.workspaces.map((item) => item.metadata.name), ['default', 'team-ml']);
    const deleted = await run('workspace', 'delete', 'a', 'b');
    assert.equal(deleted.stdout, 'workspace "a" deleted\nworkspace "b" deleted\n');
  });

  it('gateway info lists the drivers', async () => {
    const result = await run('gateway', 'info');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^GATEWAY +STATUS +VERSION\n127\.0\.0\.1:\d+ +Healthy +0\.9\.0\n\nDRIVER +IMPLEMENTATION +VERSION\ndocker +shellgate-driver-docker +0\.1\.0\n$/);
    const json = JSON.parse((await run('gateway', 'info', '-o', 'json')).stdout) as { computeDrivers: unknown[]; status: string };
    assert.equal(json.status, 'SERVICE_STATUS_HEALTHY');
    assert.equal(json.computeDrivers.length, 1);
  });

  it('gateway health exits 0 only when Healthy', async () => {
    healthStatus = ServiceStatus.SERVICE_STATUS_HEALTHY;
    const healthy = await run('gateway', 'health');
    assert.equal(healthy.code, 0);
    assert.equal(healthy.stdout, 'STATUS    VERSION\nHealthy   0.9.0\n');
    healthStatus = ServiceStatus.SERVICE_STATUS_DEGRADED;
    const degraded = await run('gateway', 'health');
    assert.equal(degraded.code, 1);
    assert.match(degraded.stdout, /Degraded/);
  });

  it('an RPC the gateway does not implement exits 1 and says so', async () => {
    const result = await run('sandbox', 'list');
    assert.equal(result.code, 1);
    assert.match(result.stderr, /does not implement ListSandboxes/);
  });
});
