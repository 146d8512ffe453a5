import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ErrorCode } from '@shellgate/driver-sdk';
import { buildTestSandbox } from '@shellgate/driver-sdk/testing';

import { checkContainerResources } from './container-resources.js';

const withResources = (resources: { cpuRequest?: string; cpuLimit?: string; memoryRequest?: string; memoryLimit?: string }) =>
  buildTestSandbox({ spec: { template: { resources: { cpuRequest: '', cpuLimit: '', memoryRequest: '', memoryLimit: '', ...resources } } } });

void describe('checkContainerResources', () => {
  void it('takes limits, and no resources at all', () => {
    checkContainerResources(withResources({ cpuLimit: '500m', memoryLimit: '64Mi' }), 'Podman');
    checkContainerResources(buildTestSandbox(), 'Podman');
  });

  void it('refuses requests with FAILED_PRECONDITION, in the engine\'s words', () => {
    assert.throws(() => checkContainerResources(withResources({ cpuRequest: '1', memoryRequest: '1Gi' }), 'Podman'), {
      code: ErrorCode.FailedPrecondition,
      message: /sets spec\.template\.resources\.cpu_request and spec\.template\.resources\.memory_request: Podman enforces limits only/,
    });
  });

  void it('refuses limits below what runc takes, naming each field', () => {
    assert.throws(() => checkContainerResources(withResources({ cpuLimit: '5m', memoryLimit: '1Mi' }), 'Podman'), (error: Error & { code?: string }) => {
      assert.equal(error.code, ErrorCode.InvalidArgument);
      assert.match(error.message, /spec\.template\.resources\.cpu_limit: Podman's smallest CPU limit is 10m/);
      assert.match(error.message, /spec\.template\.resources\.memory_limit: Podman's smallest memory limit is 6Mi/);
      return true;
    });
  });
});
