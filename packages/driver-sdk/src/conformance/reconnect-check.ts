import type { ConformanceCheck } from './conformance-check.js';
import { expect } from './conformance-context.js';

/**
 * ARCHITECTURE.md's restart-gateway scenario: the gateway goes away (its client and watch
 * with it) and a new one connects to the same, still-running driver. The new gateway
 * rebuilds its view from ListSandboxes and a fresh watch snapshot, so both must hold every
 * sandbox, and the driver must keep serving. No restart command is needed: it always runs.
 */
export const gatewayReconnectCheck: ConformanceCheck = {
  name: 'gateway-reconnect',
  description: 'after the gateway client closes and a new one connects, List and a new Watch show every sandbox and calls work',
  async run(ctx) {
    await ctx.create('reconnect');
    await ctx.create('reconnect');
    const expected = [...ctx.liveSandboxIds];
    const { driverName } = ctx.client.capabilities;
    // The old gateway had a watch open when it went away; the driver must let it go cleanly.
    const oldWatch = ctx.openWatch();
    const isAllSeenBefore = (): boolean => expected.every((id) => oldWatch.sandboxIds().has(id));
    await oldWatch.waitUntil('the snapshot before the reconnect', isAllSeenBefore, ctx.timeoutMs);
    await ctx.closeWatches();
    await ctx.reconnect();
    const renamed = ctx.client.capabilities.driverName;
    expect(renamed === driverName, `after the reconnect GetCapabilities names ${JSON.stringify(renamed)}, not ${JSON.stringify(driverName)}`);

    const listed = new Set((await ctx.client.listSandboxes()).map((sandbox) => sandbox.id));
    const unlisted = expected.filter((id) => !listed.has(id));
    expect(
      unlisted.length === 0,
      `after the reconnect ListSandboxes misses ${unlisted.length} of ${expected.length}: ${unlisted.join(', ')}`,
    );
    const watch = ctx.openWatch();
    await watch.waitUntil(
      `a snapshot of all ${expected.length} sandboxes on the new client's watch`,
      () => expected.every((id) => watch.sandboxIds().has(id)),
      ctx.timeoutMs,
    );

    // Still serving: a create on the new client reaches GetSandbox and the new watch.
    const fresh = await ctx.create('reconnect');
    const got = await ctx.client.getSandbox(fresh.id);
    expect(got.id === fresh.id, `GetSandbox after the reconnect answered id ${JSON.stringify(got.id)}, not ${JSON.stringify(fresh.id)}`);
    await watch.waitUntil(`a sandbox event for ${fresh.id} (created after the reconnect)`, () => watch.sandboxIds().has(fresh.id), ctx.timeoutMs);
  },
};
