import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CreateSandboxRequest } from '@shellgate/api';
import { ErrorCode, isShellgateError, MAX_SANDBOX_NAME_LENGTH } from '@shellgate/driver-sdk';
import { generateSandboxName, parseCreateSandboxRequest } from './sandbox-request.js';

const DRIVERS = ['docker', 'podman'];

function request(partial: Parameters<typeof CreateSandboxRequest.fromPartial>[0]): CreateSandboxRequest {
  return CreateSandboxRequest.fromPartial({ name: 'box', ...partial });
}

/** Asserts INVALID_ARGUMENT whose problems name exactly these fields (in any order). */
function assertInvalid(req: CreateSandboxRequest, fields: string[], message?: RegExp): void {
  assert.throws(() => parseCreateSandboxRequest(req, DRIVERS), (error: unknown) => {
    assert.ok(isShellgateError(error));
    assert.equal(error.code, ErrorCode.InvalidArgument);
    const problems = (error.details?.problems ?? []) as { field: string; reason: string }[];
    assert.deepEqual(problems.map((p) => p.field).sort(), [...fields].sort(), error.message);
    for (const field of fields) assert.ok(error.message.includes(field), `message names ${field}: ${error.message}`);
    if (message !== undefined) assert.match(error.message, message);
    return true;
  });
}

describe('parseCreateSandboxRequest: names', () => {
  it('accepts a DNS-label name of up to 19 characters and the default workspace', () => {
    const name = `a${'b'.repeat(MAX_SANDBOX_NAME_LENGTH - 1)}`;
    const plan = parseCreateSandboxRequest(request({ name }), DRIVERS);
    assert.equal(plan.name, name);
    assert.equal(plan.workspace, 'default');
    assert.equal(plan.driverName, undefined);
    assert.equal(plan.driverConfig, undefined);
    assert.equal(plan.resources, undefined);
  });

  it('refuses a 20-character name, naming the field', () => {
    assertInvalid(request({ name: 'a'.repeat(20) }), ['name'], /20 characters; the limit is 19/);
  });

  it('refuses names that are not DNS labels', () => {
    for (const name of ['Box', '1box', 'box-', 'b_x', 'b.x']) assertInvalid(request({ name }), ['name']);
  });

  it('generates a valid name when none is given', () => {
    const a = parseCreateSandboxRequest(request({ name: '' }), DRIVERS);
    const b = parseCreateSandboxRequest(request({ name: '' }), DRIVERS);
    assert.match(a.name, /^sandbox-[a-z0-9]{8}$/);
    assert.notEqual(a.name, b.name);
    for (let i = 0; i < 200; i += 1) assert.match(generateSandboxName(), /^sandbox-[a-z0-9]{8}$/);
  });

  it('validates the workspace name like a sandbox name', () => {
    assert.equal(parseCreateSandboxRequest(request({ workspace: 'team-a' }), DRIVERS).workspace, 'team-a');
    assertInvalid(request({ workspace: 'Team A' }), ['workspace']);
  });
});

describe('parseCreateSandboxRequest: environment, labels, command', () => {
  it('accepts 128 environment entries and refuses 129', () => {
    const env = (n: number): Record<string, string> => Object.fromEntries(Array.from({ length: n }, (_, i) => [`K${i}`, 'v']));
    parseCreateSandboxRequest(request({ spec: { environment: env(128) } }), DRIVERS);
    assertInvalid(request({ spec: { environment: env(129) } }), ['spec.environment'], /129 entries; the limit is 128/);
  });

  it('refuses keys over 256 bytes and values over 8192 bytes, naming the key', () => {
    parseCreateSandboxRequest(request({ spec: { environment: { ['K'.repeat(256)]: 'v'.repeat(8192) } } }), DRIVERS);
    assertInvalid(request({ spec: { environment: { ['K'.repeat(257)]: 'v' } } }), [`spec.environment["${'K'.repeat(40)}…"]`], /257 bytes/);
    assertInvalid(request({ spec: { environment: { BIG: 'v'.repeat(8193) } } }), ['spec.environment["BIG"]'], /8193 bytes/);
  });

  it('refuses reserved OPENSHELL_ keys in both environment maps', () => {
    assertInvalid(
      request({ spec: { environment: { OPENSHELL_SANDBOX_ID: 'x' }, template: { environment: { OPENSHELL_ENDPOINT: 'y' } } } }),
      ['spec.environment["OPENSHELL_SANDBOX_ID"]', 'spec.template.environment["OPENSHELL_ENDPOINT"]'],
    );
  });

  it('checks labels Kubernetes-style on the sandbox and its template', () => {
    const plan = parseCreateSandboxRequest(request({ labels: { 'example.com/team': 'a-1', tier: '' } }), DRIVERS);
    assert.deepEqual(plan.labels, { 'example.com/team': 'a-1', tier: '' });
    assertInvalid(request({ labels: { 'bad key': 'v' }, spec: { template: { labels: { ok: '-bad-' } } } }), ['labels["bad key"]', 'spec.template.labels["ok"]']);
  });

  it('refuses NUL bytes in the command', () => {
    assertInvalid(request({ spec: { command: ['sh', 'a\0b'] } }), ['spec.command']);
  });

  it('reports every problem at once', () => {
    assertInvalid(request({ name: 'A', labels: { '!': 'v' }, spec: { command: ['\0'] } }), ['name', 'labels["!"]', 'spec.command']);
  });
});

describe('parseCreateSandboxRequest: resources', () => {
  it('reads requests and limits into the driver resource fields', () => {
    const plan = parseCreateSandboxRequest(
      request({ spec: { template: { resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: 2, memory: '4Gi' } } } } }),
      DRIVERS,
    );
    assert.deepEqual(plan.resources, { cpuRequest: '500m', memoryRequest: '1Gi', cpuLimit: '2', memoryLimit: '4Gi' });
  });

  it('an empty resources struct means no resources', () => {
    assert.equal(parseCreateSandboxRequest(request({ spec: { template: { resources: {} } } }), DRIVERS).resources, undefined);
  });

  it('names the field of every bad section, resource and quantity', () => {
    assertInvalid(
      request({
        spec: {
          template: {
            resources: { requests: { cpu: 'lots', gpu: '1', memory: true }, limits: 'big', extra: {} },
          },
        },
      }),
      [
        'spec.template.resources.requests.cpu',
        'spec.template.resources.requests.gpu',
        'spec.template.resources.requests.memory',
        'spec.template.resources.limits',
        'spec.template.resources.extra',
      ],
    );
    assertInvalid(request({ spec: { template: { resources: { limits: { memory: '-1Gi' } } } } }), ['spec.template.resources.limits.memory'], /negative/);
  });

  it('refuses a request above its limit, comparing quantities not strings', () => {
    assertInvalid(
      request({ spec: { template: { resources: { requests: { cpu: '1500m', memory: '2Gi' }, limits: { cpu: '1', memory: '1Gi' } } } } }),
      ['spec.template.resources.requests.cpu', 'spec.template.resources.requests.memory'],
      /more than limits/,
    );
    const plan = parseCreateSandboxRequest(request({ spec: { template: { resources: { requests: { cpu: '900m' }, limits: { cpu: '1' } } } } }), DRIVERS);
    assert.equal(plan.resources?.cpuRequest, '900m');
  });
});

describe('parseCreateSandboxRequest: driver_config', () => {
  it('no driver_config means the default driver', () => {
    const plan = parseCreateSandboxRequest(request({ spec: { template: { image: 'alpine' } } }), DRIVERS);
    assert.equal(plan.driverName, undefined);
  });

  it('one key naming a configured driver selects it and passes its settings on', () => {
    const plan = parseCreateSandboxRequest(request({ spec: { template: { driverConfig: { podman: { network: 'pasta' } } } } }), DRIVERS);
    assert.equal(plan.driverName, 'podman');
    assert.deepEqual(plan.driverConfig, { network: 'pasta' });
  });

  it('a null value selects the driver with empty settings', () => {
    const plan = parseCreateSandboxRequest(request({ spec: { template: { driverConfig: { docker: null } } } }), DRIVERS);
    assert.equal(plan.driverName, 'docker');
    assert.deepEqual(plan.driverConfig, {});
  });

  it('refuses two keys', () => {
    assertInvalid(request({ spec: { template: { driverConfig: { docker: {}, podman: {} } } } }), ['spec.template.driver_config'], /exactly one key.*got 2/);
  });

  it('refuses a driver that is not configured, listing the configured ones', () => {
    assertInvalid(request({ spec: { template: { driverConfig: { kube: {} } } } }), ['spec.template.driver_config.kube'], /configured: docker, podman/);
  });

  it('refuses settings that are not an object', () => {
    for (const value of ['x', 3, ['a']]) {
      assertInvalid(request({ spec: { template: { driverConfig: { docker: value } } } }), ['spec.template.driver_config.docker'], /must be an object/);
    }
  });
});
