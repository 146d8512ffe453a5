import { randomBytes } from 'node:crypto';
import type { ConformanceCheck } from './conformance-check.js';
import { expect } from './conformance-context.js';
import { RawDriverClient } from './raw-driver-client.js';

/**
 * Creates a sandbox whose `sandbox_token` is a value found nowhere else, then looks for
 * that value in the encoded answers of GetSandbox, ListSandboxes and two watches (one
 * open before the create, one opened after, so both a live event and a snapshot). The
 * token belongs in a 0600 file inside the sandbox, never in an API answer.
 */
export const tokenNotEchoedCheck: ConformanceCheck = {
  name: 'token-not-echoed',
  description: 'the sandbox_token given to CreateSandbox appears nowhere in GetSandbox, ListSandboxes or Watch answers',
  async run(ctx) {
    const token = `sgc-token-${ctx.runId}-${randomBytes(12).toString('hex')}`;
    const sandbox = ctx.newSandbox('token');
    if (sandbox.spec !== undefined) sandbox.spec.sandboxToken = token;
    const raw = new RawDriverClient(ctx.socketPath, ctx.timeoutMs);
    const liveWatch = new AbortController();
    try {
      const live = raw.watchUntilSandbox(sandbox.id, liveWatch.signal);
      // A failed create leaves the live watch waiting: the finally cancels it, unobserved.
      live.catch(() => undefined);
      await ctx.createExact(sandbox);
      const answers: Array<[string, Buffer[]]> = [
        ['GetSandbox', [await raw.unary('getSandbox', { sandboxId: sandbox.id, sandboxName: '' })]],
        ['ListSandboxes', [await raw.unary('listSandboxes', {})]],
        ['a live WatchSandboxes event', await live],
        ['a WatchSandboxes snapshot', await raw.watchUntilSandbox(sandbox.id)],
      ];
      const needle = Buffer.from(token, 'utf8');
      const echoes = answers.filter(([, frames]) => frames.some((frame) => frame.includes(needle))).map(([rpc]) => rpc);
      expect(echoes.length === 0, `sandbox_token is echoed back by ${echoes.join(', ')}`);
    } finally {
      liveWatch.abort();
      raw.close();
    }
  },
};
