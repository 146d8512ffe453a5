import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { Metadata, credentials, status as GrpcStatus } from '@grpc/grpc-js';
import { ExecSandboxRequest, GetGatewayInfoRequest, GetSandboxLogsRequest, HealthRequest, OpenShellClient, type ExecSandboxEvent } from '@shellgate/api';
import { SupervisorSessionClient } from '@shellgate/api/session';
import { backendReadyStatus } from '../sandboxes/testing/index.js';
import { FakeSupervisor } from './testing/fake-supervisor.js';
import { StreamRecorder } from './testing/stream-recorder.js';
import { startSupervisionFixture, type SupervisionFixture } from './testing/supervision-fixture.js';

/** A second loopback address: on Linux all of 127.0.0.0/8 is local, so it can act as a callback listener. */
const CALLBACK_HOST = '127.0.0.2';

describe('the supervisor session service on the API listeners', () => {
  let f: SupervisionFixture;
  beforeEach(async () => {
    f = await startSupervisionFixture();
  });
  afterEach(async () => f.close());

  it('is served on the primary listener without the API bearer token, which the OpenShell API still requires', async () => {
    // The fixture's supervisor client sends no authorization header at all.
    const { supervisor } = await f.readySandbox();
    await supervisor.welcome();
    // Health answers anyone (as upstream's does); every other public RPC wants the token.
    const info = await new Promise<GrpcStatus>((resolve) => {
      f.openShell.getGatewayInfo(GetGatewayInfoRequest.fromPartial({}), new Metadata(), (error) => resolve(error?.code ?? GrpcStatus.OK));
    });
    assert.equal(info, GrpcStatus.UNAUTHENTICATED);
  });

  it('is served on callback listeners, where a sandbox can call nothing else but Health', async () => {
    await f.server.addCallbackListener({ driver: 'fake', host: CALLBACK_HOST, port: f.server.port, reason: 'test' });
    const address = `${CALLBACK_HOST}:${f.server.port}`;
    const sandbox = await f.h.create({ name: 'box' });
    const id = sandbox.metadata!.id;
    await f.h.statusSync.applyBackendSandbox('fake', { ...f.h.drivers.client('fake').backend.get(id)!, status: backendReadyStatus() });
    const supervisorClient = new SupervisorSessionClient(address, credentials.createInsecure());
    const api = new OpenShellClient(address, credentials.createInsecure());
    try {
      const supervisor = FakeSupervisor.connect(supervisorClient, { sandboxId: id, token: await f.h.identity.mintToken(id) });
      await supervisor.welcome();
      assert.equal(f.h.sessions.hasLiveSession(id), true);

      const healthCode = await new Promise<GrpcStatus>((resolve) => api.health(HealthRequest.fromPartial({}), (error) => resolve(error?.code ?? GrpcStatus.OK)));
      assert.equal(healthCode, GrpcStatus.OK);
      const logs = await new Promise<{ code: GrpcStatus; details: string }>((resolve) => {
        api.getSandboxLogs(GetSandboxLogsRequest.fromPartial({ sandboxId: id }), f.metadata(), (error) => resolve({ code: error?.code ?? GrpcStatus.OK, details: error?.details ?? '' }));
      });
      assert.equal(logs.code, GrpcStatus.PERMISSION_DENIED);
      assert.match(logs.details, /GetSandboxLogs is not callable on a sandbox callback listener/);
      const exec = await new StreamRecorder<ExecSandboxEvent>(api.execSandbox(ExecSandboxRequest.fromPartial({ sandboxId: id, command: ['id'] }), f.metadata())).ended;
      assert.equal(exec.code, GrpcStatus.PERMISSION_DENIED);
      const interactiveCall = api.execSandboxInteractive(f.metadata());
      const interactive = new StreamRecorder<ExecSandboxEvent>(interactiveCall);
      interactiveCall.write({ payload: { $case: 'start', start: ExecSandboxRequest.fromPartial({ sandboxId: id, command: ['sh'] }) } });
      const ended = await interactive.ended;
      assert.equal(ended.code, GrpcStatus.PERMISSION_DENIED);
      assert.match(ended.details, /ExecSandboxInteractive is not callable/);
      assert.equal(supervisor.recorder.messages.filter((m) => m.payload?.$case === 'execStart').length, 0);
    } finally {
      supervisorClient.close();
      api.close();
    }
  });
});
