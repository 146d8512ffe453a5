import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { SANDBOX_LABEL_KEYS, readSandboxOwnership, toGatewayOwnedLabels, toLabelKeys, toOwnershipSelectors, toSandboxLabels } from './sandbox-labels.js';

const OWNER = { sandboxId: 'sbx-1', sandboxName: 'box', workspace: 'ws', namespace: 'ns', gatewayId: 'gw-1' };
const LEGACY = toLabelKeys('dev.shellgate.');

void describe('sandbox labels', () => {
  void it('writes shellgate.dev/ keys and reads them back', () => {
    const labels = toSandboxLabels(OWNER);
    assert.deepEqual(labels, {
      'shellgate.dev/managed-by': 'shellgate',
      'shellgate.dev/sandbox-id': 'sbx-1',
      'shellgate.dev/sandbox-name': 'box',
      'shellgate.dev/workspace': 'ws',
      'shellgate.dev/namespace': 'ns',
      'shellgate.dev/gateway-id': 'gw-1',
    });
    assert.deepEqual(readSandboxOwnership(labels), OWNER);
  });

  void it('selects and owns only what this gateway made', () => {
    assert.deepEqual(toOwnershipSelectors('gw-1'), ['shellgate.dev/managed-by=shellgate', 'shellgate.dev/gateway-id=gw-1']);
    assert.deepEqual(toGatewayOwnedLabels('gw-1', LEGACY), { 'dev.shellgate.managed-by': 'shellgate', 'dev.shellgate.gateway-id': 'gw-1' });
    const labels = toSandboxLabels(OWNER);
    assert.equal(readSandboxOwnership(labels, { gatewayId: 'other' }), undefined);
    assert.equal(readSandboxOwnership({ ...labels, [SANDBOX_LABEL_KEYS.managedBy]: 'someone-else' }), undefined);
  });

  void it('still owns objects labelled in an older vocabulary when asked to read it', () => {
    const legacy = toSandboxLabels(OWNER, LEGACY);
    assert.equal(readSandboxOwnership(legacy), undefined);
    assert.deepEqual(readSandboxOwnership(legacy, { gatewayId: 'gw-1', vocabularies: [SANDBOX_LABEL_KEYS, LEGACY] }), OWNER);
  });

  void it('formats keys for engines that spell them differently', () => {
    const upper = toLabelKeys('SHELLGATE_', (name) => name.toUpperCase().replaceAll('-', '_'));
    assert.equal(upper.sandboxId, 'SHELLGATE_SANDBOX_ID');
  });
});
