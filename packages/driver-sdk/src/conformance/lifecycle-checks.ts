import { showsStopped } from '../conditions/backend-phase.js';
import { ErrorCode, isShellgateError } from '../errors.js';
import type { DriverSandbox } from '../gen/compute_driver.js';
import type { ConformanceCheck } from './conformance-check.js';
import type { ConformanceContext } from './conformance-context.js';
import { expect } from './conformance-context.js';

const CONCURRENT_CREATES = 10;
/** How long a sandbox deleted during its create must stay gone. */
const SETTLE_MS = 3_000;
const POLL_INTERVAL_MS = 100;

function conditionStatus(sandbox: DriverSandbox, type: string): string | undefined {
  return sandbox.status?.conditions.find((condition) => condition.type === type)?.status;
}

async function isListed(ctx: ConformanceContext, sandboxId: string): Promise<boolean> {
  return (await ctx.client.listSandboxes()).some((sandbox) => sandbox.id === sandboxId);
}

async function isGone(ctx: ConformanceContext, sandboxId: string): Promise<boolean> {
  try {
    await ctx.client.getSandbox(sandboxId);
    return false;
  } catch (error) {
    if (isShellgateError(error) && error.code === ErrorCode.NotFound) return !(await isListed(ctx, sandboxId));
    throw error;
  }
}

const createAppears: ConformanceCheck = {
  name: 'create-appears',
  description: 'a created sandbox appears in WatchSandboxes, GetSandbox and ListSandboxes',
  async run(ctx) {
    const watch = ctx.openWatch();
    const sandbox = await ctx.create('appears');
    const got = await ctx.client.getSandbox(sandbox.id);
    expect(got.id === sandbox.id, `GetSandbox answered id ${JSON.stringify(got.id)}, expected ${JSON.stringify(sandbox.id)}`);
    expect(got.name === sandbox.name, `GetSandbox answered name ${JSON.stringify(got.name)}, expected ${JSON.stringify(sandbox.name)}`);
    expect(await isListed(ctx, sandbox.id), `ListSandboxes does not include ${sandbox.id}`);
    await watch.waitUntil(`sandbox event for ${sandbox.id}`, () => watch.sandboxIds().has(sandbox.id), ctx.timeoutMs);
  },
};

const becomesReady: ConformanceCheck = {
  name: 'becomes-ready',
  description: 'a new sandbox reports Ready=True within ready_within_ms',
  skipReason: (ctx) => (ctx.claims.readyWithinMs > 0 ? undefined : 'ready_within_ms = 0 in the claims file'),
  async run(ctx) {
    const sandbox = await ctx.create('ready');
    await ctx.waitFor(
      `${sandbox.id} to report Ready=True`,
      async () => conditionStatus(await ctx.client.getSandbox(sandbox.id), 'Ready') === 'True',
      ctx.claims.readyWithinMs,
    );
  },
};

const deleteIdempotent: ConformanceCheck = {
  name: 'delete-idempotent',
  description: 'DeleteSandbox answers deleted=true, a repeat answers OK, and the sandbox goes away',
  async run(ctx) {
    const sandbox = await ctx.create('delete');
    expect(await ctx.delete(sandbox.id), 'the first DeleteSandbox answered deleted=false');
    await ctx.delete(sandbox.id);
    await ctx.waitFor(`${sandbox.id} to leave GetSandbox and ListSandboxes`, () => isGone(ctx, sandbox.id));
  },
};

const stopStartIdempotent: ConformanceCheck = {
  name: 'stop-start-idempotent',
  description: 'once Ready, Stop twice reports the stop (Suspended=True or Ready=False ContainerExited); Start twice clears it',
  skipReason: (ctx) => (ctx.claims.stopStart ? undefined : 'stop_start is not claimed'),
  async run(ctx) {
    const sandbox = await ctx.create('stop');
    // The gateway never stops a sandbox that is still being created; neither does the kit.
    await ctx.waitFor(
      `${sandbox.id} to report Ready=True before StopSandbox`,
      async () => conditionStatus(await ctx.client.getSandbox(sandbox.id), 'Ready') === 'True',
      ctx.claims.readyWithinMs > 0 ? ctx.claims.readyWithinMs : ctx.timeoutMs,
    );
    await ctx.client.stopSandbox(sandbox.id);
    await ctx.client.stopSandbox(sandbox.id);
    await ctx.waitFor(`${sandbox.id} to report the stop after StopSandbox`, async () => showsStopped((await ctx.client.getSandbox(sandbox.id)).status));
    await ctx.client.startSandbox(sandbox.id);
    await ctx.client.startSandbox(sandbox.id);
    await ctx.waitFor(`${sandbox.id} to stop reporting the stop after StartSandbox`, async () => !showsStopped((await ctx.client.getSandbox(sandbox.id)).status));
  },
};

const deleteDuringCreate: ConformanceCheck = {
  name: 'delete-during-create',
  description: 'a sandbox deleted right after CreateSandbox, before it is Ready, stays gone',
  async run(ctx) {
    const sandbox = await ctx.create('early-delete');
    await ctx.delete(sandbox.id);
    await ctx.waitFor(`${sandbox.id} to leave GetSandbox and ListSandboxes`, () => isGone(ctx, sandbox.id));
    // The fault this catches: provisioning that finishes after the delete and leaves (and lists) a sandbox.
    const settleUntil = Date.now() + Math.min(SETTLE_MS, ctx.timeoutMs);
    while (Date.now() < settleUntil) {
      await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
      expect(await isGone(ctx, sandbox.id), `${sandbox.id} came back after it was deleted while being created`);
    }
  },
};

const concurrentCreates: ConformanceCheck = {
  name: 'concurrent-creates',
  description: `${CONCURRENT_CREATES} CreateSandbox calls at once all succeed and are listed`,
  skipReason: (ctx) => (ctx.claims.concurrentCreates ? undefined : 'concurrent_creates is not claimed'),
  async run(ctx) {
    const sandboxes = Array.from({ length: CONCURRENT_CREATES }, () => ctx.newSandbox('burst'));
    const outcomes = await Promise.allSettled(sandboxes.map((sandbox) => ctx.createExact(sandbox)));
    const failures = outcomes.flatMap((outcome) =>
      outcome.status === 'rejected' ? [outcome.reason instanceof Error ? outcome.reason.message : String(outcome.reason)] : [],
    );
    expect(failures.length === 0, `${failures.length} of ${CONCURRENT_CREATES} creates failed: ${failures[0] ?? ''}`);
    const listed = new Set((await ctx.client.listSandboxes()).map((sandbox) => sandbox.id));
    const missing = sandboxes.filter((sandbox) => !listed.has(sandbox.id)).map((sandbox) => sandbox.id);
    expect(missing.length === 0, `ListSandboxes misses ${missing.join(', ')}`);
  },
};

const workspaces: ConformanceCheck = {
  name: 'workspaces-idempotent',
  description: 'EnsureWorkspace and DeleteWorkspace each succeed twice in a row',
  skipReason: (ctx) => (ctx.claims.workspaces ? undefined : 'workspaces is not claimed'),
  async run(ctx) {
    const workspace = `sgc-${ctx.runId}-ws`;
    await ctx.client.ensureWorkspace(workspace);
    await ctx.client.ensureWorkspace(workspace);
    await ctx.client.deleteWorkspace(workspace);
    await ctx.client.deleteWorkspace(workspace);
  },
};

/** Checks of a sandbox's life: create, ready, delete (also mid-create), stop/start, bursts, workspaces. */
export const lifecycleChecks: readonly ConformanceCheck[] = [
  createAppears,
  becomesReady,
  deleteIdempotent,
  deleteDuringCreate,
  stopStartIdempotent,
  concurrentCreates,
  workspaces,
];
