import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Sandbox, SandboxPhase } from '@shellgate/api';
import { formatAge } from './format-age.js';
import { renderTable } from './render-table.js';
import { driverOf, phaseName, renderSandboxTable } from './sandbox-view.js';

const T0 = Date.parse('2025-01-01T00:00:00Z');

describe('renderTable', () => {
  it('aligns columns with three spaces and no trailing blanks', () => {
    assert.equal(renderTable(['NAME', 'PHASE'], [['a', 'Ready'], ['longer-name', '']]), 'NAME          PHASE\na             Ready\nlonger-name\n');
  });
});

describe('phaseName', () => {
  it('drops the SANDBOX_PHASE_ prefix', () => {
    assert.equal(phaseName(SandboxPhase.SANDBOX_PHASE_PROVISIONING), 'Provisioning');
    assert.equal(phaseName(SandboxPhase.SANDBOX_PHASE_READY), 'Ready');
    assert.equal(phaseName(SandboxPhase.SANDBOX_PHASE_STOPPED), 'Stopped');
    assert.equal(phaseName(SandboxPhase.UNRECOGNIZED), 'Unknown');
    assert.equal(phaseName(42 as SandboxPhase), 'Unknown');
  });
});

describe('formatAge', () => {
  it('prints like kubectl', () => {
    assert.equal(formatAge(T0, T0 + 45_000), '45s');
    assert.equal(formatAge(T0, T0 + 12 * 60_000), '12m');
    assert.equal(formatAge(T0, T0 + 5 * 3_600_000), '5h');
    assert.equal(formatAge(T0, T0 + 3 * 86_400_000), '3d');
    assert.equal(formatAge(0, T0), '<unknown>');
  });
});

describe('renderSandboxTable', () => {
  const sandbox = (name: string, driver?: string) =>
    Sandbox.fromPartial({
      metadata: { name, workspace: 'default', createdAtMs: T0, labels: driver === 'label' ? { 'shellgate.dev/driver': 'podman' } : {} },
      spec: { template: { image: 'alpine', driverConfig: driver === 'config' ? { docker: {} } : undefined } },
      status: { phase: SandboxPhase.SANDBOX_PHASE_READY },
    });

  it('omits DRIVER when no sandbox names one', () => {
    assert.equal(renderSandboxTable([sandbox('a')], T0 + 5000), 'NAME   WORKSPACE   PHASE   IMAGE    AGE\na      default     Ready   alpine   5s\n');
  });

  it('shows DRIVER from the label, else the driver_config key', () => {
    assert.equal(driverOf(sandbox('a', 'label')), 'podman');
    assert.equal(driverOf(sandbox('a', 'config')), 'docker');
    const text = renderSandboxTable([sandbox('a', 'label'), sandbox('b')], T0);
    assert.match(text, /^NAME {3}WORKSPACE {3}PHASE {3}DRIVER {3}IMAGE {4}AGE$/m);
    assert.match(text, /^b +default +Ready +<none> +alpine +0s$/m);
  });
});
