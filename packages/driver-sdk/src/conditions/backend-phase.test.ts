import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { DriverCondition, DriverSandboxStatus } from '../gen/compute_driver.js';
import { SandboxBackendPhase, deriveBackendPhase } from './backend-phase.js';
import { TRANSIENT_REASONS } from './condition-types.js';

function condition(type: string, status: string, reason = ''): DriverCondition {
  return { type, status, reason, message: '', lastTransitionTime: '' };
}

function status(conditions: DriverCondition[], deleting = false): DriverSandboxStatus {
  return { sandboxName: 'box', instanceId: 'i-1', agentFd: '', sandboxFd: '', conditions, deleting };
}

describe('deriveBackendPhase', () => {
  it('is Unknown without a status', () => {
    assert.equal(deriveBackendPhase(undefined), SandboxBackendPhase.Unknown);
  });

  it('is Deleting when deleting, even if Ready or Suspended', () => {
    assert.equal(
      deriveBackendPhase(status([condition('Suspended', 'True'), condition('Ready', 'True')], true)),
      'Deleting',
    );
  });

  it('is Stopped when any Suspended condition is True, whatever Ready says', () => {
    assert.equal(deriveBackendPhase(status([condition('Ready', 'True'), condition('Suspended', 'True')])), 'Stopped');
    assert.equal(
      deriveBackendPhase(
        status([condition('Suspended', 'False'), condition('Suspended', 'True'), condition('Ready', 'False', 'X')]),
      ),
      'Stopped',
    );
  });

  it('ignores Suspended=False and Suspended=Unknown', () => {
    assert.equal(deriveBackendPhase(status([condition('Suspended', 'False'), condition('Ready', 'True')])), 'Ready');
    assert.equal(deriveBackendPhase(status([condition('Suspended', 'Unknown'), condition('Ready', 'True')])), 'Ready');
  });

  it('is Ready for Ready=True', () => {
    assert.equal(deriveBackendPhase(status([condition('Ready', 'True', 'Running')])), 'Ready');
  });

  it('is Error for Ready=False with a non-transient reason', () => {
    assert.equal(deriveBackendPhase(status([condition('Ready', 'False', 'ImagePullFailed')])), 'Error');
    assert.equal(deriveBackendPhase(status([condition('Ready', 'False', '')])), 'Error');
  });

  for (const reason of TRANSIENT_REASONS) {
    it(`is Provisioning for Ready=False with transient reason ${reason} in any case`, () => {
      for (const spelling of [reason, reason.toLowerCase(), reason.toUpperCase()]) {
        assert.equal(deriveBackendPhase(status([condition('Ready', 'False', spelling)])), 'Provisioning', spelling);
      }
    });
  }

  it('is Provisioning for Ready with any other status', () => {
    assert.equal(deriveBackendPhase(status([condition('Ready', 'Unknown', 'ImagePullFailed')])), 'Provisioning');
    assert.equal(deriveBackendPhase(status([condition('Ready', '')])), 'Provisioning');
  });

  it('lets the first Ready condition win', () => {
    assert.equal(
      deriveBackendPhase(status([condition('Ready', 'False', 'ContainerExited'), condition('Ready', 'True')])),
      'Error',
    );
    assert.equal(
      deriveBackendPhase(status([condition('Ready', 'True'), condition('Ready', 'False', 'ContainerExited')])),
      'Ready',
    );
  });

  it('does not count a condition typed "ready" or "READY"', () => {
    assert.equal(deriveBackendPhase(status([condition('ready', 'True')])), 'Provisioning');
    assert.equal(
      deriveBackendPhase(status([condition('READY', 'False', 'ImagePullFailed'), condition('Ready', 'True')])),
      'Ready',
    );
    assert.equal(deriveBackendPhase(status([condition('suspended', 'True'), condition('Ready', 'True')])), 'Ready');
  });

  it('is Provisioning with no Ready condition at all', () => {
    assert.equal(deriveBackendPhase(status([])), 'Provisioning');
    assert.equal(deriveBackendPhase(status([condition('Scheduled', 'True')])), 'Provisioning');
  });
});
