import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { AcceleratorVerdictCache, probeKvm } from './accelerator-probe.js';
import type { ProbeKvmOptions } from './accelerator-probe.js';

const root = mkdtempSync(join(tmpdir(), 'sg-kvm-probe-'));
after(() => rmSync(root, { recursive: true, force: true }));

function options(kvmDevice: string, uid: number | undefined): ProbeKvmOptions {
  return { kvmDevice, uid, runDir: join(root, 'run'), bootOptions: { files: [], qemuBinary: '/nonexistent/qemu', logPath: join(root, 'probe.log'), env: {} } };
}

describe('probeKvm', () => {
  it('picks TCG without booting when there is no device', async () => {
    const verdict = await probeKvm(options(join(root, 'no-kvm'), undefined));
    assert.equal(verdict.accelerator, 'tcg');
    assert.match(verdict.reason, /no-kvm is not usable \(ENOENT\)/);
  });

  it('picks TCG, saying how to fix it, when the device is closed to QEMU\'s unprivileged uid', async () => {
    const device = join(root, 'kvm');
    writeFileSync(device, '');
    chmodSync(device, 0o600);
    const verdict = await probeKvm(options(device, 1_900_000_001));
    assert.equal(verdict.accelerator, 'tcg');
    assert.match(verdict.reason, /mode 600.*cannot be opened by QEMU's unprivileged uid; give it a group/);
  });

  it('picks TCG when a probe boot cannot even start', async () => {
    const device = join(root, 'kvm-open');
    writeFileSync(device, '');
    chmodSync(device, 0o666);
    const verdict = await probeKvm(options(device, 1_900_000_001));
    assert.equal(verdict.accelerator, 'tcg');
    assert.match(verdict.reason, /a KVM probe boot failed/);
  });
});

describe('AcceleratorVerdictCache', () => {
  it('remembers one verdict under its key', async () => {
    const cache = new AcceleratorVerdictCache(join(root, 'cache'));
    assert.equal(await cache.read('a'), undefined);
    await cache.write('a', { accelerator: 'tcg', reason: 'because' });
    assert.deepEqual(await cache.read('a'), { accelerator: 'tcg', reason: 'because' });
    assert.equal(await cache.read('b'), undefined, 'a verdict for another setup is not reused');
  });
});
