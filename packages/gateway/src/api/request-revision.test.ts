import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CreateSandboxRequest,
  DeleteSandboxRequest,
  ExecSandboxRequest,
  GetSandboxLogsRequest,
  ListSandboxesRequest,
  WatchSandboxRequest,
} from '@shellgate/api';
import { checkRequestShape, isRefusedRequest, toRefusalError } from './request-revision.js';

/** Hand-encoded fields: a LEN field (tag, length, bytes) and a varint field. */
const len = (number: number, content: Buffer | string): Buffer => {
  const bytes = Buffer.from(content);
  return Buffer.concat([Buffer.from([(number << 3) | 2, bytes.length]), bytes]);
};
const varint = (number: number, value: number): Buffer => Buffer.from([(number << 3) | 0, value]);
/** OpenShell 0.1's WorkspaceSelector { workspace: name }. */
const selector = (workspace: string): Buffer => len(1, workspace);

function refusal(rpc: string, buffer: Buffer): { code: string; message: string; hint: string | undefined } | undefined {
  const refused = checkRequestShape(rpc, buffer);
  if (refused === undefined) return undefined;
  assert.ok(isRefusedRequest(refused));
  const error = toRefusalError(refused);
  return { code: error.code, message: error.message, hint: error.hint };
}

describe('checkRequestShape', () => {
  it('lets every request a 0.0.116 client sends through, whatever fields it sets', () => {
    const requests: Array<[string, Uint8Array]> = [
      ['CreateSandbox', CreateSandboxRequest.encode(CreateSandboxRequest.fromPartial({ name: 'a', workspace: 'team-a', labels: { k: 'v' }, spec: { environment: { A: 'b' }, command: ['sh'] } })).finish()],
      ['DeleteSandbox', DeleteSandboxRequest.encode({ name: 'box', workspace: 'team-a' }).finish()],
      ['ListSandboxes', ListSandboxesRequest.encode({ limit: 10, offset: 5, labelSelector: 'a=b', workspace: 'w', allWorkspaces: true }).finish()],
      ['WatchSandbox', WatchSandboxRequest.encode(WatchSandboxRequest.fromPartial({ id: 'x', followLogs: true, logSinceMs: 5, logSources: ['sandbox'], logMinLevel: 'INFO' })).finish()],
      ['GetSandboxLogs', GetSandboxLogsRequest.encode(GetSandboxLogsRequest.fromPartial({ sandboxId: 'x', sinceMs: 9, workspace: 'w' })).finish()],
      ['ExecSandbox', ExecSandboxRequest.encode(ExecSandboxRequest.fromPartial({ sandboxId: 'x', command: ['true'], environment: { OPENSHELL_PYFUNC_B64: 'e30=' }, timeoutSeconds: 3, tty: true })).finish()],
    ];
    for (const [rpc, bytes] of requests) assert.equal(checkRequestShape(rpc, Buffer.from(bytes)), undefined, rpc);
  });

  it('answers a request of the 0.1 revision FAILED_PRECONDITION naming our revision and the matching client', () => {
    const revised: Array<[string, Buffer]> = [
      // delete with a WorkspaceSelector where the workspace name was, and allow_missing at 3
      ['DeleteSandbox', Buffer.concat([len(1, 'box'), len(2, selector('default'))])],
      ['DeleteSandbox', Buffer.concat([len(1, 'box'), varint(3, 1)])],
      // list with page_token where offset was, and the selector at 4
      ['ListSandboxes', Buffer.concat([varint(1, 100), len(2, 'next')])],
      ['ListSandboxes', Buffer.concat([varint(1, 100), len(4, selector('default'))])],
      ['GetSandbox', Buffer.concat([len(1, 'box'), len(2, selector('default'))])],
      // a Timestamp at 103
      ['GetSandboxLogs', Buffer.concat([len(1, 'box'), Buffer.from([0xba, 0x06, 0x00])])],
      ['CreateSandbox', Buffer.concat([len(1, ''), len(7, selector('default'))])],
    ];
    for (const [rpc, buffer] of revised) {
      const refused = refusal(rpc, buffer);
      assert.ok(refused !== undefined, `${rpc} ${buffer.toString('hex')}`);
      assert.equal(refused.code, 'FAILED_PRECONDITION');
      assert.match(refused.message, /newer OpenShell API revision.*this gateway speaks openshell\.v1 as of OpenShell 0\.0\.116/);
      assert.match(refused.hint ?? '', /pip install 'openshell==0\.0\.116'/);
    }
  });

  it('refuses SandboxSpec.policy (field 7) with INVALID_ARGUMENT instead of dropping it', () => {
    const policy = len(7, varint(1, 1));
    const refused = refusal('CreateSandbox', Buffer.concat([len(1, policy), len(2, 'box')]));
    assert.equal(refused?.code, 'INVALID_ARGUMENT');
    assert.match(refused?.message ?? '', /spec\.policy: sandbox policies are not supported/);
  });

  it('leaves undecodable bytes and unknown RPCs to the decoder', () => {
    assert.equal(checkRequestShape('DeleteSandbox', Buffer.from([0x0a, 0x7f])), undefined);
    assert.equal(checkRequestShape('SomethingElse', len(9, 'x')), undefined);
  });
});
