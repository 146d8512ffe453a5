import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { DriverSandbox } from '../gen/compute_driver.js';
import { formatDriverConfigField } from './driver-config-field.js';
import { findDriverSandboxProblems, validateDriverSandbox } from './driver-sandbox.js';
import { validateEnvironment } from './environment-limits.js';
import { validateLabels } from './labels.js';
import { RESERVED_MOUNT_TARGETS, validateMountTarget } from './mount-target.js';
import { validateSandboxName } from './sandbox-name.js';
import { validateWorkspaceName } from './workspace-name.js';

interface ProblemError extends Error {
  code?: string;
  details?: { problems?: { field: string; reason: string }[] };
}

function assertInvalid(run: () => void, pattern: RegExp): void {
  assert.throws(run, (error: ProblemError) => {
    assert.equal(error.name, 'InvalidArgumentError');
    assert.equal(error.code, 'INVALID_ARGUMENT');
    assert.match(error.message, pattern);
    return true;
  });
}

describe('formatDriverConfigField', () => {
  it('names the key under the driver name the user wrote, not the unwrapped value the driver received', () => {
    assert.equal(formatDriverConfigField('docker', 'mounts[0].target'), 'spec.template.driver_config.docker.mounts[0].target');
    assert.equal(formatDriverConfigField('podman'), 'spec.template.driver_config.podman');
  });
});

describe('validateSandboxName', () => {
  for (const name of ['a', 'abc', 'my-sandbox-1', 'a1', 'a'.repeat(19)]) {
    it(`accepts ${JSON.stringify(name)}`, () => assert.doesNotThrow(() => validateSandboxName(name)));
  }
  const invalid: readonly (readonly [string, RegExp])[] = [
    ['', /name: must not be empty/],
    ['a'.repeat(20), /is 20 characters; the limit is 19/],
    ['1abc', /start with a letter/],
    ['-abc', /start with a letter/],
    ['abc-', /end with a letter or digit/],
    ['Abc', /lowercase/],
    ['a_b', /lowercase/],
    ['a.b', /lowercase/],
    ['a b', /lowercase/],
  ];
  for (const [name, pattern] of invalid) {
    it(`refuses ${JSON.stringify(name)} and names the value`, () => {
      assertInvalid(() => validateSandboxName(name), pattern);
      if (name !== '') assertInvalid(() => validateSandboxName(name), new RegExp(`name: ${JSON.stringify(name)}`));
    });
  }
  it('uses the given field name', () => {
    assertInvalid(() => validateSandboxName('X', 'sandbox.name'), /^invalid sandbox name: sandbox\.name: "X"/);
  });
});

describe('validateWorkspaceName', () => {
  it('accepts any non-empty workspace, the way drivers store it as a label or field', () => {
    for (const workspace of ['default', 'Team A/with spaces', 'x'.repeat(300)]) assert.doesNotThrow(() => validateWorkspaceName(workspace));
  });

  it('refuses an empty workspace with the message every driver answers', () => {
    assertInvalid(() => validateWorkspaceName(''), /^workspace must not be empty$/);
  });
});

describe('validateEnvironment', () => {
  it('accepts a normal environment at the limits', () => {
    const env: Record<string, string> = {};
    for (let i = 0; i < 128; i += 1) env[`VAR_${i}`] = 'x';
    env.VAR_0 = 'v'.repeat(8192);
    env[`K${'_'.repeat(255)}`] = '';
    delete env.VAR_1;
    assert.doesNotThrow(() => validateEnvironment(env, 'spec.environment'));
    assert.doesNotThrow(() => validateEnvironment({ _private: '1', openshell_lower: 'fine' }, 'spec.environment'));
  });

  it('refuses more than 128 entries', () => {
    const env: Record<string, string> = {};
    for (let i = 0; i < 129; i += 1) env[`VAR_${i}`] = 'x';
    assertInvalid(() => validateEnvironment(env, 'spec.environment'), /spec\.environment: has 129 entries; the limit is 128/);
  });

  it('refuses oversized keys and values, counting UTF-8 bytes', () => {
    assertInvalid(() => validateEnvironment({ [`K${'x'.repeat(256)}`]: '' }, 'env'), /key is 257 bytes; the limit is 256/);
    assertInvalid(() => validateEnvironment({ BIG: 'é'.repeat(4097) }, 'env'), /env\["BIG"\]: value is 8194 bytes; the limit is 8192/);
  });

  for (const key of ['1ABC', 'A-B', 'A B', '', 'A=B', 'Ä']) {
    it(`refuses the key ${JSON.stringify(key)}`, () => {
      assertInvalid(() => validateEnvironment({ [key]: 'v' }, 'spec.environment'), /POSIX environment name/);
    });
  }

  it('refuses reserved OPENSHELL_* keys and says the driver sets them', () => {
    assertInvalid(
      () => validateEnvironment({ OPENSHELL_ENDPOINT: 'http://x' }, 'spec.environment'),
      /spec\.environment\["OPENSHELL_ENDPOINT"\]: keys starting with OPENSHELL_ are reserved; the driver sets them/,
    );
  });

  it('refuses NUL in values and reports every problem at once', () => {
    assert.throws(
      () => validateEnvironment({ A: 'a\0b', 'B-C': '', OPENSHELL_X: '' }, 'env'),
      (error: ProblemError) => {
        assert.deepEqual(
          error.details?.problems?.map((problem) => problem.field),
          ['env["A"]', 'env["B-C"]', 'env["OPENSHELL_X"]'],
        );
        return true;
      },
    );
  });
});

describe('validateLabels', () => {
  it('accepts Kubernetes-style labels', () => {
    assert.doesNotThrow(() =>
      validateLabels(
        {
          app: 'web',
          'example.com/team': 'a.b_c-d',
          'shellgate.dev/sandbox-id': '',
          [`x${'y'.repeat(62)}`]: `v${'w'.repeat(62)}`,
          A1: 'Z9',
        },
        'spec.template.labels',
      ),
    );
  });

  const invalid: readonly (readonly [string, string, RegExp])[] = [
    ['', 'v', /key name must be 1\.\.63/],
    ['-app', 'v', /starting and ending with a letter or digit/],
    ['app.', 'v', /starting and ending/],
    ['a'.repeat(64), 'v', /1\.\.63/],
    ['Example.com/app', 'v', /key prefix must be a lowercase DNS subdomain/],
    ['/app', 'v', /key prefix/],
    ['a/b/c', 'v', /key name must be letters/],
    ['example.com/', 'v', /key name must be 1\.\.63/],
    ['app', 'a b', /value must be empty or letters/],
    ['app', '-x', /value must be empty or letters/],
    ['app', 'x'.repeat(64), /value must be at most 63/],
  ];
  for (const [key, value, pattern] of invalid) {
    it(`refuses ${JSON.stringify(key.slice(0, 20))}=${JSON.stringify(value.slice(0, 10))}`, () => {
      assertInvalid(() => validateLabels({ [key]: value }, 'spec.template.labels'), pattern);
      assertInvalid(() => validateLabels({ [key]: value }, 'spec.template.labels'), /spec\.template\.labels\[/);
    });
  }
});

describe('validateMountTarget', () => {
  for (const path of ['/workspace', '/data/cache', '/opt/other', '/opt/shellgate2', '/run/user', '/devices']) {
    it(`accepts ${path}`, () => assert.doesNotThrow(() => validateMountTarget(path)));
  }
  const invalid: readonly (readonly [string, RegExp])[] = [
    ['workspace', /must be an absolute path/],
    ['', /must be an absolute path/],
    ['/', /root directory/],
    ['/data/../etc', /not normalized; use "\/etc"/],
    ['/data/./x', /not normalized; use "\/data\/x"/],
    ['//data', /not normalized/],
    ['/data/', /not normalized; use "\/data"/],
    ['/opt/shellgate', /reserves/],
    ['/opt/shellgate/bin', /under "\/opt\/shellgate"/],
    ['/run/shellgate/token', /under "\/run\/shellgate"/],
    ['/proc', /reserves/],
    ['/sys/fs', /reserves/],
    ['/dev/shm', /reserves/],
  ];
  for (const [path, pattern] of invalid) {
    it(`refuses ${JSON.stringify(path)}`, () => assertInvalid(() => validateMountTarget(path), pattern));
  }
  it('lists the runtime bundle and token directories as reserved', () => {
    assert.ok(RESERVED_MOUNT_TARGETS.includes('/opt/shellgate'));
    assert.ok(RESERVED_MOUNT_TARGETS.includes('/run/shellgate'));
  });
});

function sandbox(overrides: Parameters<typeof DriverSandbox.fromPartial>[0] = {}): DriverSandbox {
  return DriverSandbox.fromPartial({
    id: 'sbx-1',
    name: 'alpha',
    spec: {
      environment: { FOO: 'bar' },
      sandboxToken: 'tok',
      template: {
        image: 'busybox',
        labels: { app: 'x' },
        resources: { cpuRequest: '500m', cpuLimit: '1', memoryRequest: '256Mi', memoryLimit: '1Gi' },
      },
    },
    ...overrides,
  });
}

describe('validateDriverSandbox', () => {
  it('accepts a valid sandbox, and empty resources mean unset', () => {
    assert.doesNotThrow(() => validateDriverSandbox(sandbox()));
    const noResources = sandbox();
    noResources.spec!.template!.resources = { cpuRequest: '', cpuLimit: '', memoryRequest: '', memoryLimit: '' };
    assert.doesNotThrow(() => validateDriverSandbox(noResources));
  });

  it('requires an id, a valid name and a spec', () => {
    assert.deepEqual(findDriverSandboxProblems(sandbox({ id: '', name: 'Bad_Name', spec: undefined })).map((p) => p.field), [
      'id',
      'name',
      'spec',
    ]);
  });

  it('names the resource field and why it is invalid', () => {
    const bad = sandbox();
    bad.spec!.template!.resources!.cpuLimit = 'lots';
    assertInvalid(
      () => validateDriverSandbox(bad),
      /^invalid sandbox "alpha": spec\.template\.resources\.cpu_limit: CPU quantity "lots" is invalid/,
    );
    bad.spec!.template!.resources!.memoryLimit = '5GB';
    assert.deepEqual(findDriverSandboxProblems(bad).map((problem) => problem.field), [
      'spec.template.resources.cpu_limit',
      'spec.template.resources.memory_limit',
    ]);
  });

  it('refuses requests above limits', () => {
    const bad = sandbox();
    bad.spec!.template!.resources!.cpuRequest = '2';
    bad.spec!.template!.resources!.memoryRequest = '2Gi';
    const problems = findDriverSandboxProblems(bad);
    assert.deepEqual(problems.map((problem) => problem.field), [
      'spec.template.resources.cpu_request',
      'spec.template.resources.memory_request',
    ]);
    assert.match(problems[0]!.reason, /request "2" is more than spec\.template\.resources\.cpu_limit "1"/);
  });

  it('allows a request without a limit and equal request and limit', () => {
    const ok = sandbox();
    ok.spec!.template!.resources = { cpuRequest: '1', cpuLimit: '1000m', memoryRequest: '64Gi', memoryLimit: '' };
    assert.doesNotThrow(() => validateDriverSandbox(ok));
  });

  it('checks both environments, labels and their merged size', () => {
    const bad = sandbox();
    bad.spec!.environment = { OPENSHELL_SANDBOX_ID: 'x' };
    bad.spec!.template!.environment = { 'not-posix': '1' };
    bad.spec!.template!.labels = { '-x': '' };
    assert.deepEqual(findDriverSandboxProblems(bad).map((problem) => problem.field), [
      'spec.environment["OPENSHELL_SANDBOX_ID"]',
      'spec.template.environment["not-posix"]',
      'spec.template.labels["-x"]',
    ]);

    const big = sandbox();
    big.spec!.environment = {};
    big.spec!.template!.environment = {};
    for (let i = 0; i < 100; i += 1) {
      big.spec!.environment[`S${i}`] = '';
      big.spec!.template!.environment[`T${i}`] = '';
    }
    assertInvalid(() => validateDriverSandbox(big), /together have 200 entries; the limit is 128/);
  });
});
