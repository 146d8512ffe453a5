// Issue 10, item 2, as an attack: a session holding a sandbox's token floods the gateway with
// log lines carrying megabytes of fields. The gateway caps every line and the sandbox's buffer
// in bytes, its memory stays bounded, and the log answer stays under what clients accept.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { LogLine } from '@shellgate/api/session';
import { requireDockerEngine } from '../docker/docker-engine.js';
import { uniqueSandboxName } from '../docker/e2e-run.js';
import { DockerHostileGateway, toDockerGatewayLayout } from './docker-hostile-gateway.js';
import { StolenTokenSession } from './stolen-token-session.js';

const BATCHES = 200;
const FIELD_BYTES = 100 * 1024;
const FIELDS_PER_LINE = 10;
/** Bytes of log a sandbox may hold here (the setting, lowered to make the bound visible). */
const BUFFER_BYTES = 1024 * 1024;
/** What the flood may add to the gateway's RSS: the buffer, gRPC's buffers, GC slack. It was > 1 GB. */
const MAX_RSS_GROWTH_BYTES = 150 * 1024 * 1024;

function rssBytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((entry) => entry.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? 0) * 1024;
}

export function registerHostileLogFloodSuite(): void {
  describe('hostile sandbox: a log flood with a stolen token (Docker)', { timeout: 300_000 }, () => {
    let hostile: DockerHostileGateway;

    before(async () => {
      await requireDockerEngine();
      const layout = toDockerGatewayLayout('flood', { inject_supervisor: true });
      hostile = await DockerHostileGateway.start({ ...layout, configToml: `sandbox_log_buffer_bytes = ${BUFFER_BYTES}\n${layout.configToml}` });
    });

    after(async () => {
      await hostile?.close();
    });

    it('keeps the gateway bounded in memory and its log answer small, and keeps serving', async () => {
      const name = uniqueSandboxName('flood');
      const created = await hostile.cli(['sandbox', 'create', name, '--cmd', 'sleep', '--cmd', '3600', '--wait', '--timeout', '90s', '-o', 'json']);
      assert.equal(created.code, 0, created.stderr);
      const sandboxId = (JSON.parse(created.stdout) as { metadata: { id: string } }).metadata.id;
      const token = readFileSync(join(hostile.layout.driverStateDir, 'sandboxes', sandboxId, 'token.kept'), 'utf8').trim();
      const pid = hostile.gateway.child.pid!;
      const before = rssBytes(pid);
      const session = StolenTokenSession.open(hostile.gateway.address, sandboxId, token, 'flooder');
      try {
        await session.welcome();
        const huge = 'f'.repeat(FIELD_BYTES);
        const fields = Object.fromEntries(Array.from({ length: FIELDS_PER_LINE }, (_, index) => [`field${index}`, huge]));
        for (let batch = 0; batch < BATCHES; batch += 1) {
          const line: LogLine = { timestampMs: Date.now(), level: 'info'.repeat(1000), source: 'main', target: huge, message: huge, fields };
          session.sendLogs([line]);
          // Let the stream drain now and then, as a real flood over one connection would be paced.
          if (batch % 20 === 19) await new Promise((resolve) => setTimeout(resolve, 50));
        }
        const deadline = Date.now() + 60_000;
        let answer = await hostile.api.logs(sandboxId);
        while (answer.bufferTotal < 20 && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 200));
          answer = await hostile.api.logs(sandboxId);
        }
        const answerBytes = answer.logs.reduce((sum, line) => sum + line.message.length + line.target.length + Object.entries(line.fields).reduce((inner, [key, value]) => inner + key.length + value.length, 0), 0);
        assert.ok(answer.logs.length > 0, 'the flood reached the buffer');
        assert.ok(answerBytes <= 2 * 1024 * 1024, `the answer carries ${answerBytes} bytes`);
        for (const line of answer.logs) {
          assert.ok(line.message.length <= 16 * 1024 + 1 && line.target.length <= 257 && line.level.length <= 17, 'every part of a line is capped');
          assert.ok(Object.values(line.fields).every((value) => value.length <= 4 * 1024 + 1), 'field values are capped');
        }
        const growth = rssBytes(pid) - before;
        assert.ok(growth < MAX_RSS_GROWTH_BYTES, `gateway RSS grew by ${Math.round(growth / 1024 / 1024)} MB`);
        assert.equal((await hostile.api.list()).length, 1, 'the gateway keeps serving');
      } finally {
        session.end();
      }
    });
  });
}
