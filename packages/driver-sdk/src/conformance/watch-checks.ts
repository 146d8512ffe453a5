import type { ConformanceCheck } from './conformance-check.js';
import { expect } from './conformance-context.js';

const watchStartsWithSnapshot: ConformanceCheck = {
  name: 'watch-starts-with-snapshot',
  description: 'every new WatchSandboxes stream first sends every existing sandbox (two streams at once)',
  async run(ctx) {
    await ctx.create('snap');
    await ctx.create('snap');
    const existing = (await ctx.client.listSandboxes()).map((sandbox) => sandbox.id);
    expect(existing.length >= 2, `ListSandboxes lists ${existing.length} sandboxes right after two creates`);
    const watches = [ctx.openWatch(), ctx.openWatch()];
    for (const [index, watch] of watches.entries()) {
      await watch.waitUntil(
        `snapshot of all ${existing.length} listed sandboxes on stream ${index + 1}`,
        () => existing.every((id) => watch.sandboxIds().has(id)),
        ctx.timeoutMs,
      );
    }
  },
};

const deletedEventFollowsDelete: ConformanceCheck = {
  name: 'watch-deleted-event',
  description: 'DeleteSandbox is followed by a deleted event on an open watch',
  async run(ctx) {
    const watch = ctx.openWatch();
    const sandbox = await ctx.create('deleted');
    await watch.waitUntil(`sandbox event for ${sandbox.id}`, () => watch.sandboxIds().has(sandbox.id), ctx.timeoutMs);
    await ctx.delete(sandbox.id);
    await watch.waitUntil(`deleted event for ${sandbox.id}`, () => watch.hasDeleted(sandbox.id), ctx.timeoutMs);
  },
};

/** Checks of the WatchSandboxes stream. */
export const watchChecks: readonly ConformanceCheck[] = [watchStartsWithSnapshot, deletedEventFollowsDelete];
