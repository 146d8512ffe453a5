// The SDK's conformance kit binary against a driver binary on a real engine, with the
// engine's checked-in claims file and the restart scenario (STYLE.md rule 19, issues 4 and 11).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CONFORMANCE_BIN } from '../harness/paths.js';
import { runCommand } from '../harness/run-command.js';
import { DriverProcess } from './driver-process.js';
import { TEST_IMAGE } from './e2e-driver-config.js';
import type { EngineUnderTest } from './engine-under-test.js';

const KIT_TIMEOUT_MS = 30_000;

export function registerConformanceSuite(engine: EngineUnderTest): void {
  describe(`shellgate-driver-conformance against shellgate-driver-${engine.name}`, () => {
    let driver: DriverProcess;

    before(async () => {
      await engine.require();
      driver = await DriverProcess.launch(engine, 'conf');
    });

    after(async () => {
      await driver?.stop();
    });

    it('passes every check, the restart scenario included, and skips none', async () => {
      const args = [
        CONFORMANCE_BIN,
        '--socket', driver.socketPath,
        '--image', TEST_IMAGE,
        '--claims', engine.claimsFile,
        '--restart-cmd', driver.restartCommand,
        '--timeout-ms', String(KIT_TIMEOUT_MS),
      ];
      const result = await runCommand(process.execPath, args, 10 * 60_000);
      const report = `${result.stdout}${result.stderr}\n--- driver log (tail) ---\n${driver.log().split('\n').slice(-40).join('\n')}`;
      assert.equal(result.code, 0, report);
      assert.match(result.stdout, /ok +restart-keeps-sandboxes/, report);
      assert.doesNotMatch(result.stdout, /^skip /m, `a claimed check was skipped:\n${report}`);
      assert.match(result.stdout, /\d+ passed, 0 failed\s*$/, report);
    });
  });
}
