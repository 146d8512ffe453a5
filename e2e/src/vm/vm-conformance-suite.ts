// The SDK's conformance kit binary against the VM driver binary on real QEMU, with the
// checked-in claims file and the restart scenario (issue 12; STYLE.md rule 19).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TEST_IMAGE } from '../container/e2e-driver-config.js';
import { REPO_ROOT } from '../harness/paths.js';
import { runCommand } from '../harness/run-command.js';
import { CONFORMANCE_BIN } from '../harness/paths.js';
import { VmDriverProcess } from './vm-driver-process.js';
import { requireVmEngine } from './vm-engine.js';

/** Checked in beside the sources; the tests run from e2e/dist. */
const CLAIMS_FILE = join(REPO_ROOT, 'e2e', 'src', 'vm', 'vm-claims.toml');
const KIT_TIMEOUT_MS = 60_000;

export function registerVmConformanceSuite(): void {
  describe('shellgate-driver-conformance against shellgate-driver-vm', () => {
    let driver: VmDriverProcess;

    before(async () => {
      await requireVmEngine();
      driver = await VmDriverProcess.start('conf');
    });

    after(async () => {
      await driver?.stop();
    });

    it('passes every check, the restart scenario included, and skips none', async () => {
      const args = [CONFORMANCE_BIN, '--socket', driver.socketPath, '--image', TEST_IMAGE, '--claims', CLAIMS_FILE, '--restart-cmd', driver.restartCommand, '--timeout-ms', String(KIT_TIMEOUT_MS)];
      const result = await runCommand(process.execPath, args, 5 * 60_000);
      const report = `${result.stdout}${result.stderr}\n--- driver log (tail) ---\n${driver.log().split('\n').slice(-40).join('\n')}`;
      assert.equal(result.code, 0, report);
      assert.match(result.stdout, /ok +restart-keeps-sandboxes/, report);
      assert.doesNotMatch(result.stdout, /^skip /m, `a claimed check was skipped:\n${report}`);
      assert.match(result.stdout, /\d+ passed, 0 failed\s*$/, report);
    });
  });
}
