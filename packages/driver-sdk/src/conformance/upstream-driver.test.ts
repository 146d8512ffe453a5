import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { CONTAINER_EXITED_REASON, backendNotReady } from '../conditions/index.js';
import { FailedPreconditionError, InvalidArgumentError } from '../errors.js';
import type { FakeDriver } from '../fake-driver/index.js';
import type { DriverSandbox } from '../gen/compute_driver.js';
import type { ComputeDriverImpl } from '../server/index.js';
import { serveDriver } from '../server/index.js';
import { CONFORMANCE_CHECK_NAMES } from './conformance-checks.js';
import { parseDriverClaims } from './parse-driver-claims.js';
import { runConformance } from './run-conformance.js';
import type { ConformanceReport } from './run-conformance.js';
import { createFakeDriverWith } from './testdata/fake-driver-with.js';

const TEST_TIMEOUT_MS = 60_000;
const CHECK_TIMEOUT_MS = 5_000;

const conditionOf = (sandbox: DriverSandbox | undefined, type: string): string | undefined =>
  sandbox?.status?.conditions.find((condition) => condition.type === type)?.status;

/** Upstream reports a stop as Ready=False ContainerExited and never sets Suspended. */
function toUpstreamStatus(sandbox: DriverSandbox | undefined): void {
  if (sandbox?.status === undefined) return;
  const stopped = conditionOf(sandbox, 'Suspended') === 'True';
  const conditions = sandbox.status.conditions.filter((condition) => condition.type !== 'Suspended');
  sandbox.status.conditions = stopped ? [backendNotReady(CONTAINER_EXITED_REASON, 'container exited')] : conditions;
}

/**
 * A driver with upstream OpenShell's habits, all within the contract: it refuses a create
 * without a sandbox_token, leaves id and name validation to the gateway, reports a stop as
 * Ready=False ContainerExited, refuses to stop a sandbox still being created, and asks for
 * its listener as IP:port. `overrides` adds a real fault on top.
 */
function createUpstreamLikeDriver(
  overrides: (fake: FakeDriver) => Partial<ComputeDriverImpl> = () => ({}),
  script: Record<string, unknown> = {},
): Promise<ComputeDriverImpl> {
  return createFakeDriverWith(
    (fake) => ({
      // Everything but the id and the name, which upstream checks at its API.
      validateSandboxCreate: (request, ctx) =>
        fake.validateSandboxCreate({ sandbox: request.sandbox && { ...request.sandbox, id: 'any-id', name: 'any-name' } }, ctx),
      createSandbox: async (request, ctx) => {
        if ((request.sandbox?.spec?.sandboxToken ?? '') === '') throw new InvalidArgumentError('sandbox_token is required');
        await fake.createSandbox(request, ctx);
      },
      getSandbox: async (request, ctx) => {
        const answer = await fake.getSandbox(request, ctx);
        toUpstreamStatus(answer.sandbox);
        return answer;
      },
      listSandboxes: async (request, ctx) => {
        const answer = await fake.listSandboxes(request, ctx);
        answer.sandboxes.forEach(toUpstreamStatus);
        return answer;
      },
      stopSandbox: async (request, ctx) => {
        const { sandbox } = await fake.getSandbox({ sandboxId: request.sandboxId, sandboxName: '' }, ctx);
        if (conditionOf(sandbox, 'Ready') !== 'True' && conditionOf(sandbox, 'Suspended') !== 'True') {
          throw new FailedPreconditionError('sandbox is still being created');
        }
        await fake.stopSandbox(request, ctx);
      },
      ...overrides(fake),
    }),
    { ready_delay_ms: 200, listener_requirements: [{ reason: 'bridge', exact_bind_address: '172.25.0.1:17670' }], ...script },
  );
}

async function runAgainst(driver: ComputeDriverImpl, options: { claims?: string; only?: string[] } = {}): Promise<ConformanceReport> {
  const dir = await mkdtemp(join(tmpdir(), 'sgc-'));
  const server = await serveDriver(driver, { socketPath: join(dir, 'upstream.sock'), drainTimeoutMs: 1_000 });
  try {
    return await runConformance({
      // Relative, as an operator types it: it must not be taken for a host name.
      socketPath: relative(process.cwd(), server.socketPath),
      timeoutMs: CHECK_TIMEOUT_MS,
      ...(options.claims === undefined ? {} : { claims: parseDriverClaims(options.claims, 'inline claims') }),
      ...(options.only === undefined ? {} : { only: options.only }),
    });
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const notPassed = (report: ConformanceReport): string[][] =>
  report.results.filter((result) => result.status !== 'pass').map((result) => [result.name, result.status, result.reason ?? '']);

void test('a driver with upstream habits passes every check once it does not claim id/name validation', { timeout: TEST_TIMEOUT_MS }, async () => {
  const report = await runAgainst(await createUpstreamLikeDriver(), { claims: 'validates_ids_and_names = false\n' });
  assert.deepEqual(notPassed(report), [
    ['validate-rejects-bad-identity', 'skip', 'validates_ids_and_names is not claimed'],
    ['restart-keeps-sandboxes', 'skip', 'no --restart-cmd given'],
  ]);
  assert.equal(report.results.length, CONFORMANCE_CHECK_NAMES.length);
});

void test('id/name validation is claimed by default: a driver without it fails that check', { timeout: TEST_TIMEOUT_MS }, async () => {
  const report = await runAgainst(await createUpstreamLikeDriver(), { only: ['validate-rejects-malformed', 'validate-rejects-bad-identity'] });
  assert.deepEqual(notPassed(report), [['validate-rejects-bad-identity', 'fail', 'ValidateSandboxCreate with empty id answered OK; expected INVALID_ARGUMENT or FAILED_PRECONDITION']]);
});

void test('a sandbox that comes back after a delete during its create fails delete-during-create', { timeout: TEST_TIMEOUT_MS }, async () => {
  const leaky = await createUpstreamLikeDriver((fake) => ({
    deleteSandbox: async (request, ctx) => {
      const { sandbox } = await fake.getSandbox({ sandboxId: request.sandboxId, sandboxName: '' }, ctx);
      const answer = await fake.deleteSandbox(request, ctx);
      // The leak an upstream driver had: provisioning finishes after the delete and recreates the container.
      const recreate = { ...ctx, signal: new AbortController().signal };
      if (conditionOf(sandbox, 'Ready') !== 'True') setTimeout(() => void fake.createSandbox({ sandbox }, recreate).catch(() => undefined), 300);
      return answer;
    },
  }));
  const report = await runAgainst(leaky, { only: ['delete-during-create'] });
  assert.deepEqual(notPassed(report).map(([name]) => name), ['delete-during-create']);
  assert.match(notPassed(report)[0]?.[2] ?? '', /^sgc-\S+ came back after it was deleted while being created$/);
});

void test('a bare-IP listener address fails listener-addresses; UNIMPLEMENTED passes', { timeout: TEST_TIMEOUT_MS }, async () => {
  const bare = await runAgainst(await createUpstreamLikeDriver(undefined, { listener_requirements: [{ reason: 'bridge', exact_bind_address: '172.25.0.1' }] }), {
    only: ['listener-addresses'],
  });
  assert.deepEqual(notPassed(bare), [
    ['listener-addresses', 'fail', 'exact_bind_address "172.25.0.1" is not IP:port (upstream OpenShell\'s gateway refuses to start with it)'],
  ]);
  const none = await createUpstreamLikeDriver();
  delete none.getGatewayListenerRequirements;
  assert.deepEqual(notPassed(await runAgainst(none, { only: ['listener-addresses'] })), []);
});
