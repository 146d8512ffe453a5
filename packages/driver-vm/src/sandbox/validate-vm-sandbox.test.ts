import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ErrorCode } from '@shellgate/driver-sdk';
import type { ShellgateError } from '@shellgate/driver-sdk';
import { buildTestSandbox } from '@shellgate/driver-sdk/testing';
import type { TestSandboxInit } from '@shellgate/driver-sdk/testing';

import { validateVmSandbox } from './validate-vm-sandbox.js';
import type { VmResourcePolicy } from './validate-vm-sandbox.js';

const POLICY: VmResourcePolicy = { defaultVcpus: 1, maxVcpus: 4, defaultMemoryMib: 512, maxMemoryMib: 4096, maxDiskSizeMib: 8192, defaultKernel: 'debian' };

function validate(init: TestSandboxInit): ReturnType<typeof validateVmSandbox> {
  return validateVmSandbox(buildTestSandbox(init), POLICY);
}

function assertInvalid(init: TestSandboxInit, ...fields: RegExp[]): void {
  assert.throws(
    () => validate(init),
    (error: ShellgateError) => error.code === ErrorCode.InvalidArgument && fields.every((field) => field.test(error.message)),
  );
}

describe('validateVmSandbox', () => {
  it('gives a sandbox that asks for nothing the defaults', () => {
    const { vcpus, memoryMib, kernel, disks } = validate({});
    assert.deepEqual({ vcpus, memoryMib, kernel, disks }, { vcpus: 1, memoryMib: 512, kernel: 'debian', disks: [] });
  });

  it('sizes the VM from limits (else requests): whole vCPUs rounded up, RAM in MiB', () => {
    const limited = validate({ spec: { template: { resources: { cpuRequest: '', cpuLimit: '1500m', memoryRequest: '256Mi', memoryLimit: '1Gi' } } } });
    assert.deepEqual([limited.vcpus, limited.memoryMib], [2, 1024]);
    const requested = validate({ spec: { template: { resources: { cpuRequest: '2', cpuLimit: '', memoryRequest: '300M', memoryLimit: '' } } } });
    assert.deepEqual([requested.vcpus, requested.memoryMib], [2, 287]);
  });

  it('lets driver_config.vm override both, choose the kernel and add disks', () => {
    const sandbox = validate({ spec: { template: { driverConfig: { vcpus: 3, memory: '2Gi', kernel: 'small', disks: [{ target: '/data', size: '4Gi' }] } } } });
    assert.deepEqual([sandbox.vcpus, sandbox.memoryMib, sandbox.kernel], [3, 2048, 'small']);
    assert.deepEqual(sandbox.disks, [{ target: '/data', sizeMib: 4096 }]);
  });

  it('refuses what is past the caps, naming the field the user wrote', () => {
    assertInvalid({ spec: { template: { resources: { cpuRequest: '', cpuLimit: '8', memoryRequest: '', memoryLimit: '' } } } }, /spec\.template\.resources\.cpu_limit/, /at most 4/);
    assertInvalid({ spec: { template: { driverConfig: { memory: '64Gi' } } } }, /spec\.template\.driver_config\.vm\.memory/, /max_memory_mib/);
    assertInvalid({ spec: { template: { driverConfig: { memory: '64Mi' } } } }, /at least 128 MiB/);
    assertInvalid({ spec: { template: { driverConfig: { disks: [{ target: '/big', size: '1Ti' }] } } } }, /driver_config\.vm\.disks\[0\]\.size/);
  });

  it('refuses unknown and malformed driver_config keys, naming spec.template.driver_config.vm.<key>', () => {
    assertInvalid({ spec: { template: { driverConfig: { cpus: 2 } } } }, /spec\.template\.driver_config\.vm\.cpus/, /known: vcpus, memory, kernel, disks/);
    assertInvalid({ spec: { template: { driverConfig: { vcpus: 1.5, kernel: 'huge' } } } }, /driver_config\.vm\.vcpus/, /driver_config\.vm\.kernel/);
    assertInvalid({ spec: { template: { driverConfig: { disks: [{ target: 'rel', size: '1Gi', mode: 'x' }] } } } }, /disks\[0\]\.target/, /disks\[0\]\.mode/);
    assertInvalid({ spec: { template: { driverConfig: { disks: [{ target: '/opt/shellgate/x', size: '1Gi' }, { target: '/with space', size: '1Gi' }] } } } }, /disks\[0\]\.target.*reserves/, /disks\[1\]\.target/);
  });

  it('refuses a GPU with FAILED_PRECONDITION', () => {
    assert.throws(
      () => validate({ spec: { resourceRequirements: { gpu: { count: 1 } } } }),
      (error: ShellgateError) => error.code === ErrorCode.FailedPrecondition && /GPU/.test(error.message),
    );
  });
});
