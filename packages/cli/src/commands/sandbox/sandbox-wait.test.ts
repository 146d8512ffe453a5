import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ServerWritableStream } from '@grpc/grpc-js';
import { status } from '@grpc/grpc-js';
import type { SandboxStreamEvent, WatchSandboxRequest } from '@shellgate/api';
import { SandboxPhase } from '@shellgate/api';
import { FakeGateway, grpcError, makeSandbox, runShellgate, T0_MS } from '../../test-support/fake-gateway.test.helper.js';

const { SANDBOX_PHASE_PROVISIONING: PROVISIONING, SANDBOX_PHASE_READY: READY, SANDBOX_PHASE_ERROR: ERROR } = SandboxPhase;

type Script = (call: ServerWritableStream<WatchSandboxRequest, SandboxStreamEvent>) => void;

const sandboxEvent = (name: string, phase: SandboxPhase, extra: { reason?: string; message?: string } = {}): SandboxStreamEvent => ({
  payload: { $case: 'sandbox', sandbox: makeSandbox(name, phase, extra) },
});
const platformEvent = (reason: string, message: string, atSeconds: number): SandboxStreamEvent => ({
  payload: { $case: 'event', event: { timestampMs: T0_MS + atSeconds * 1000, source: 'driver', type: 'Normal', reason, message, metadata: {} } },
});

/** Watch scripts by sandbox name: what the fake gateway streams for each. */
const scripts: Record<string, Script> = {
  good: (call) => {
    call.write(sandboxEvent('good', PROVISIONING, { reason: 'DependenciesNotReady', message: 'waiting for driver' }));
    call.write(platformEvent('ContainerCreated', 'pulling image alpine:3', 2));
    call.write(platformEvent('ContainerStarted', 'started', 3));
    call.write(sandboxEvent('good', READY, { reason: 'SupervisorConnected' }));
    // Left open on purpose: the CLI must end the stream itself once Ready.
  },
  bad: (call) => {
    call.write(sandboxEvent('bad', PROVISIONING));
    call.write(sandboxEvent('bad', ERROR, { reason: 'ImagePullFailed', message: 'manifest for nope:1 not found' }));
  },
  slow: (call) => call.write(sandboxEvent('slow', PROVISIONING)),
  early: (call) => {
    // Ends before Ready; the CLI must look again with GetSandbox.
    call.write(sandboxEvent('early', PROVISIONING));
    call.end();
  },
  doomed: (call) => {
    call.write(sandboxEvent('doomed', SandboxPhase.SANDBOX_PHASE_DELETING));
    call.emit('error', grpcError(status.NOT_FOUND, 'deleted'));
  },
  stopper: (call) => {
    call.write(sandboxEvent('stopper', SandboxPhase.SANDBOX_PHASE_STOPPING));
    call.write(sandboxEvent('stopper', SandboxPhase.SANDBOX_PHASE_STOPPED));
  },
};

describe('--wait and watch against a fake gateway', () => {
  let gateway: FakeGateway;
  const deleted = new Set<string>();

  before(async () => {
    gateway = await FakeGateway.start({
      createSandbox: (call, callback) => callback(null, { sandbox: makeSandbox(call.request.name, PROVISIONING) }),
      getSandbox: (call, callback) => {
        const name = call.request.name;
        if (deleted.has(name)) callback(grpcError(status.NOT_FOUND, 'gone'));
        else callback(null, { sandbox: makeSandbox(name, name === 'early' ? READY : PROVISIONING) });
      },
      deleteSandbox: (call, callback) => {
        deleted.add(call.request.name);
        callback(null, { deleted: true });
      },
      stopSandbox: (call, callback) => callback(null, { sandbox: makeSandbox(call.request.name, SandboxPhase.SANDBOX_PHASE_STOPPING) }),
      watchSandbox: (call) => {
        const script = scripts[call.request.id.replace(/^id-/, '')];
        if (script === undefined) call.emit('error', grpcError(status.NOT_FOUND, 'no such id'));
        else script(call);
      },
    });
  });
  after(() => gateway.close());

  const run = (...argv: string[]) => runShellgate(argv, { gateway: gateway.address });

  it('create --wait follows Provisioning → Ready, with progress on stderr, and exits 0', async () => {
    const result = await run('sandbox', 'create', 'good', '--wait');
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      result.stderr,
      [
        '2025-01-01T00:00:10Z  Provisioning',
        '2025-01-01T00:00:10Z  Provisioning  DependenciesNotReady  waiting for driver',
        '2025-01-01T00:00:02Z  Provisioning  ContainerCreated  pulling image alpine:3',
        '2025-01-01T00:00:03Z  Provisioning  ContainerStarted  started',
        '2025-01-01T00:00:10Z  Ready         SupervisorConnected',
        '',
      ].join('\n'),
    );
    assert.match(result.stdout, /^good +default +Ready +alpine:3 +10s$/m);
    const watch = gateway.requests('watchSandbox').at(-1) as WatchSandboxRequest;
    assert.equal(watch.id, 'id-good');
    assert.equal(watch.followStatus, true);
    assert.equal(watch.followEvents, true);
  });

  it('create --wait exits 1 with the condition reason when the sandbox goes to Error', async () => {
    const result = await run('sandbox', 'create', 'bad', '--wait');
    assert.equal(result.code, 1);
    assert.match(result.stderr, /Error {9}ImagePullFailed {2}manifest for nope:1 not found\n/);
    assert.match(result.stderr, /error: sandbox "bad" failed: ImagePullFailed: manifest for nope:1 not found; see 'shellgate sandbox get bad -o yaml'/);
    assert.equal(result.stdout, '');
  });

  it('create --wait exits 124 when the timeout passes, naming the last phase', async () => {
    const result = await run('sandbox', 'create', 'slow', '--wait', '--timeout', '300ms');
    assert.equal(result.code, 124);
    assert.match(result.stderr, /error: timed out after 300ms waiting for sandbox "slow" to become Ready \(last phase: Provisioning\); raise --timeout/);
  });

  it('looks again with GetSandbox when the gateway ends the stream early', async () => {
    const result = await run('sandbox', 'create', 'early', '--wait', '--timeout', '5s');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /early +default +Ready/);
  });

  it('stop --wait waits for Stopped', async () => {
    const result = await run('sandbox', 'stop', 'stopper', '--wait');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /Stopped\n$/);
    assert.match(result.stdout, /stopper +default +Stopped/);
  });

  it('delete --wait waits until the sandbox is gone', async () => {
    const result = await run('sandbox', 'delete', 'doomed', '--wait');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /Deleting\n.*Deleted\n$/);
    assert.equal(result.stdout, 'sandbox "doomed" deleted\n');
  });

  it('watch prints phase changes and, with --events, platform events; --stop-on-terminal ends at Ready', async () => {
    const result = await run('sandbox', 'watch', 'good', '--events', '--stop-on-terminal');
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.split('\n').length, 5);
    assert.match(result.stdout, /ContainerCreated {2}pulling image alpine:3\n/);
    assert.match(result.stdout, /Ready {9}SupervisorConnected\n$/);
    const request = gateway.requests('watchSandbox').at(-1) as WatchSandboxRequest;
    assert.deepEqual([request.id, request.followStatus, request.followEvents, request.stopOnTerminal], ['id-good', true, true, true]);
  });

  it('watch -o json prints one stream event per line; Error with --stop-on-terminal exits 1', async () => {
    const result = await run('sandbox', 'watch', 'bad', '--stop-on-terminal', '-o', 'json');
    assert.equal(result.code, 1);
    const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { sandbox?: { status?: { phase?: string } } });
    assert.deepEqual(lines.map((line) => line.sandbox?.status?.phase), ['SANDBOX_PHASE_PROVISIONING', 'SANDBOX_PHASE_ERROR']);
  });

  it('watch ends with --timeout (exit 124) when nothing terminal happens', async () => {
    const result = await run('sandbox', 'watch', 'slow', '--timeout', '200ms');
    assert.equal(result.code, 124);
    assert.match(result.stdout, /Provisioning/);
  });
});
