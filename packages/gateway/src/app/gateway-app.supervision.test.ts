import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Metadata, credentials, status as GrpcStatus } from '@grpc/grpc-js';
import { CreateSandboxRequest, ExecSandboxRequest, GetSandboxRequest, OpenShellClient, SandboxPhase, type ExecSandboxEvent, type Sandbox } from '@shellgate/api';
import { SupervisorSessionClient } from '@shellgate/api/session';
import { RecordingLogger } from '@shellgate/driver-sdk/testing';
import { loadGatewayConfig } from '../config/index.js';
import { SandboxIdentity } from '../identity/index.js';
import { FakeSupervisor } from '../supervision/testing/fake-supervisor.js';
import { StreamRecorder } from '../supervision/testing/stream-recorder.js';
import { waitUntil } from '../supervision/testing/wait-until.js';
import { GatewayApp } from './gateway-app.js';
import { gatewayStatePaths } from './gateway-state.js';

const API_TOKEN = 'app-test-bearer-token-0123456789';
const fakeDriverMain = createRequire(import.meta.url).resolve('@shellgate/driver-sdk/package.json').replace(/package\.json$/, 'dist/fake-driver/main.js');

/** Every test here waits on a socket, a stream or a child process: a bound names the one that hangs. */
const SUITE_TIMEOUT_MS = 120_000;

describe('GatewayApp: the supervisor session wired end to end', { timeout: SUITE_TIMEOUT_MS }, () => {
  let dir: string;
  let app: GatewayApp;
  let api: OpenShellClient;
  let supervisors: SupervisorSessionClient;
  const logger = new RecordingLogger();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shellgate-app-'));
    writeFileSync(join(dir, 'token'), API_TOKEN, { mode: 0o600 });
    writeFileSync(join(dir, 'gateway.toml'), [
      'listen = "127.0.0.1:0"',
      `state_dir = "${join(dir, 'state')}"`,
      `auth_token_file = "${join(dir, 'token')}"`,
      'supervisor_heartbeat_ms = 300',
      '[drivers.fake]',
      `command = ["${process.execPath}", "${fakeDriverMain}"]`,
      '',
    ].join('\n'));
    const config = loadGatewayConfig({ argv: ['--config', join(dir, 'gateway.toml')], env: {} });
    app = await GatewayApp.start(config, logger);
    api = new OpenShellClient(app.address, credentials.createInsecure());
    supervisors = new SupervisorSessionClient(app.address, credentials.createInsecure());
  });
  after(async () => {
    api.close();
    supervisors.close();
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const metadata = (): Metadata => {
    const m = new Metadata();
    m.set('authorization', `Bearer ${API_TOKEN}`);
    return m;
  };
  const getSandbox = async (name: string): Promise<Sandbox> => new Promise((resolve, reject) => {
    api.getSandbox(GetSandboxRequest.fromPartial({ name }), metadata(), (error, response) => (error === null ? resolve(response.sandbox!) : reject(error)));
  });

  it('a supervisor with the sandbox token makes a created sandbox Ready, heartbeats as configured, and relays an exec', async () => {
    const created = await new Promise<Sandbox>((resolve, reject) => {
      api.createSandbox(CreateSandboxRequest.fromPartial({ name: 'box' }), metadata(), (error, response) => (error === null ? resolve(response.sandbox!) : reject(error)));
    });
    const id = created.metadata!.id;
    // The token the driver got is not readable from outside; mint one with the gateway's own key.
    const paths = gatewayStatePaths(join(dir, 'state'));
    const identity = SandboxIdentity.loadOrCreate(paths.signingKeyFile, readFileSync(paths.gatewayIdFile, 'utf8').trim());
    const token = await identity.mintToken(id);
    const supervisor = FakeSupervisor.connect(supervisors, { sandboxId: id, token });
    assert.equal((await supervisor.welcome()).heartbeatIntervalMs, 300);
    const keepAlive = setInterval(() => supervisor.send({ $case: 'heartbeat', heartbeat: { sentAtMs: Date.now() } }), 100);
    try {
      await waitUntil(async () => (await getSandbox('box')).status?.phase === SandboxPhase.SANDBOX_PHASE_READY);
      const call = api.execSandbox(ExecSandboxRequest.fromPartial({ sandboxId: 'box', command: ['echo', 'hi'] }), metadata());
      const client = new StreamRecorder<ExecSandboxEvent>(call);
      const stream = supervisor.attach((await supervisor.execStart()).execId);
      stream.stdout('hi\n');
      stream.exit(0);
      assert.equal((await client.ended).code, GrpcStatus.OK);
      assert.deepEqual(client.messages.map((e) => e.payload?.$case), ['stdout', 'exit']);
    } finally {
      clearInterval(keepAlive);
    }
    assert.ok(!JSON.stringify(logger.lines).includes(token.slice(-20)), 'the sandbox token leaked into the gateway log');
  });
});
