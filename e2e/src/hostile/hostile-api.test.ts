// Issue 10, items 4 and 5, against a real gateway (fake driver): oversized fields answer
// INVALID_ARGUMENT at once on a connection that keeps working, and undecodable or hostile
// messages never answer INTERNAL nor crash the gateway. The fuzzing is seeded and bounded.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, Metadata, credentials, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { CreateSandboxRequest, GetSandboxLogsRequest, ListSandboxesRequest, OpenShellService, WatchSandboxRequest } from '@shellgate/api';
import { fakeDriverTable } from '../harness/fake-driver-config.js';
import { GatewayProcess } from '../harness/gateway-process.js';

const BIG = 'x'.repeat(300 * 1024);
const CALL_TIMEOUT_MS = 5_000;
/** Answers a hostile message must never get: a crash, an unmapped error, or no answer. */
const BAD_CODES: ReadonlySet<number> = new Set([GrpcStatus.INTERNAL, GrpcStatus.UNKNOWN, GrpcStatus.DEADLINE_EXCEEDED]);
/** A stream the client cancels ends CANCELLED; these mean the gateway failed. */
const CRASH_CODES: ReadonlySet<number> = new Set([GrpcStatus.INTERNAL, GrpcStatus.UNKNOWN]);

/** A service method seen as bytes in, bytes out (what the fuzzer needs of it). */
interface RawMethod {
  readonly path: string;
  requestSerialize(value: unknown): Buffer;
  requestDeserialize(bytes: Buffer): unknown;
}

interface RawAnswer {
  readonly code: number;
  readonly details: string;
  readonly elapsedMs: number;
}

/** A deterministic xorshift generator, so a failing input can be reproduced from its seed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

describe('hostile API input', () => {
  let gateway: GatewayProcess;
  let client: Client;

  before(async () => {
    gateway = await GatewayProcess.start({ configToml: fakeDriverTable('fake', '/tmp') });
    client = new Client(gateway.address, credentials.createInsecure());
  });

  after(async () => {
    client?.close();
    await gateway?.stop();
    gateway?.removeState();
  });

  function callRaw(path: string, body: Buffer): Promise<RawAnswer> {
    const startedAt = Date.now();
    return new Promise((resolve) => {
      client.makeUnaryRequest(
        path,
        (value: Buffer) => value,
        (value: Buffer) => value,
        body,
        new Metadata(),
        { deadline: Date.now() + CALL_TIMEOUT_MS },
        (error: ServiceError | null) => resolve({ code: error?.code ?? GrpcStatus.OK, details: error?.details ?? '', elapsedMs: Date.now() - startedAt }),
      );
    });
  }

  const listPath = OpenShellService.listSandboxes.path;
  const emptyList = Buffer.from(ListSandboxesRequest.encode(ListSandboxesRequest.fromPartial({})).finish());

  async function assertConnectionWorks(): Promise<void> {
    assert.equal((await callRaw(listPath, emptyList)).code, GrpcStatus.OK, 'the same connection still answers');
  }

  const oversized: [string, string, Buffer][] = [
    ['a 300 KB sandbox name', OpenShellService.createSandbox.path, Buffer.from(CreateSandboxRequest.encode(CreateSandboxRequest.fromPartial({ name: BIG })).finish())],
    [
      'a 300 KB label key',
      OpenShellService.createSandbox.path,
      Buffer.from(CreateSandboxRequest.encode(CreateSandboxRequest.fromPartial({ name: 'ok', labels: { [BIG]: 'v' } })).finish()),
    ],
    [
      'a 300 KB label value',
      OpenShellService.createSandbox.path,
      Buffer.from(CreateSandboxRequest.encode(CreateSandboxRequest.fromPartial({ name: 'ok', labels: { k: BIG } })).finish()),
    ],
    ['a 300 KB label selector', listPath, Buffer.from(ListSandboxesRequest.encode(ListSandboxesRequest.fromPartial({ labelSelector: `a=${BIG}` })).finish())],
    ['a 300 KB workspace', OpenShellService.getSandbox.path, Buffer.from(OpenShellService.getSandbox.requestSerialize({ name: 'x', workspace: BIG }))],
  ];
  for (const [what, path, body] of oversized) {
    it(`answers ${what} with INVALID_ARGUMENT within a second, quoting it cut short`, async () => {
      const answer = await callRaw(path, body);
      assert.ok([GrpcStatus.INVALID_ARGUMENT, GrpcStatus.NOT_FOUND].includes(answer.code), `code ${answer.code}: ${answer.details.slice(0, 200)}`);
      assert.ok(answer.elapsedMs < 1_000, `answered in ${answer.elapsedMs} ms`);
      assert.ok(answer.details.length < 4_096, `details are ${answer.details.length} chars`);
      await assertConnectionWorks();
    });
  }

  it('answers a WatchSandbox of a 300 KB id at once, and the connection keeps working', async () => {
    const call = client.makeServerStreamRequest(
      OpenShellService.watchSandbox.path,
      (value: Buffer) => value,
      (value: Buffer) => value,
      Buffer.from(WatchSandboxRequest.encode(WatchSandboxRequest.fromPartial({ id: BIG, followStatus: true })).finish()),
      new Metadata(),
      { deadline: Date.now() + CALL_TIMEOUT_MS },
    );
    const code = await new Promise<number>((resolve) => {
      call.on('data', () => undefined);
      call.on('error', (error: ServiceError) => resolve(error.code));
      call.on('end', () => resolve(GrpcStatus.OK));
    });
    assert.ok([GrpcStatus.INVALID_ARGUMENT, GrpcStatus.NOT_FOUND].includes(code), `code ${code}`);
    await assertConnectionWorks();
  });

  it('answers an int64 past 2^53 with INVALID_ARGUMENT, not INTERNAL', async () => {
    // Field 3 (since_ms) as a varint of 2^60.
    const body = Buffer.concat([Buffer.from(GetSandboxLogsRequest.encode(GetSandboxLogsRequest.fromPartial({ sandboxId: 'x' })).finish()), Buffer.from([0x18, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10])]);
    const answer = await callRaw(OpenShellService.getSandboxLogs.path, body);
    assert.equal(answer.code, GrpcStatus.INVALID_ARGUMENT, answer.details);
    assert.match(answer.details, /could not be decoded/);
  });

  it('answers a driver_config Struct nested 45 levels deep with INVALID_ARGUMENT', async () => {
    let nested: Record<string, unknown> = { leaf: 1 };
    for (let depth = 0; depth < 45; depth += 1) nested = { next: nested };
    const request = CreateSandboxRequest.fromPartial({ name: 'deep', spec: { template: { driverConfig: { fake: nested } } } });
    const answer = await callRaw(OpenShellService.createSandbox.path, Buffer.from(CreateSandboxRequest.encode(request).finish()));
    assert.equal(answer.code, GrpcStatus.INVALID_ARGUMENT, answer.details);
    await assertConnectionWorks();
  });

  /** The status a streaming call ends with after sending `messages` (bidi) or `request` (server streaming). */
  function streamStatus(path: string, request: Buffer | undefined, messages: readonly Buffer[]): Promise<number> {
    return new Promise((resolve) => {
      const options = { deadline: Date.now() + CALL_TIMEOUT_MS };
      const identity = (value: Buffer): Buffer => value;
      let call;
      if (request === undefined) {
        const bidi = client.makeBidiStreamRequest(path, identity, identity, new Metadata(), options);
        for (const message of messages) bidi.write(message);
        call = bidi;
      } else {
        call = client.makeServerStreamRequest(path, identity, identity, request, new Metadata(), options);
      }
      call.on('data', () => undefined);
      call.on('error', (error: ServiceError) => resolve(error.code));
      call.on('end', () => resolve(GrpcStatus.OK));
      // A stream that is still open after a moment accepted the input: cancel it.
      setTimeout(() => call.cancel(), 1_000).unref();
    });
  }

  it('ends streams whose messages cannot be decoded with INVALID_ARGUMENT, never INTERNAL', async () => {
    const garbage = Buffer.from([0x0f]);
    assert.equal(await streamStatus(OpenShellService.execSandboxInteractive.path, undefined, [garbage]), GrpcStatus.INVALID_ARGUMENT);
    assert.equal(await streamStatus('/shellgate.supervisor.v1.SupervisorSession/Connect', undefined, [garbage]), GrpcStatus.INVALID_ARGUMENT);
    assert.equal(await streamStatus('/shellgate.supervisor.v1.SupervisorSession/Exec', undefined, [garbage]), GrpcStatus.INVALID_ARGUMENT);
    assert.equal(await streamStatus(OpenShellService.watchSandbox.path, garbage, []), GrpcStatus.INVALID_ARGUMENT);
    assert.equal(await streamStatus(OpenShellService.execSandbox.path, garbage, []), GrpcStatus.INVALID_ARGUMENT);
    const random = seededRandom(7);
    for (const path of [OpenShellService.watchSandbox.path, OpenShellService.execSandbox.path]) {
      for (let round = 0; round < 100; round += 1) {
        const code = await streamStatus(path, mutate(Buffer.from([0x0a, 0x03, 0x61, 0x62, 0x63, 0x10, 0x01]), random), []);
        assert.ok(!CRASH_CODES.has(code), `${path}: code ${code}`);
      }
    }
    await assertConnectionWorks();
  });

  it('never answers INTERNAL or UNKNOWN to a few hundred mutated messages per unary RPC, and stays up', async () => {
    const random = seededRandom(20261206);
    const deadline = Date.now() + 60_000;
    const unary = Object.values(OpenShellService).filter((method) => !method.requestStream && !method.responseStream) as unknown as RawMethod[];
    const seeds = new Map<string, Buffer>([[OpenShellService.createSandbox.path, Buffer.from(CreateSandboxRequest.encode(CreateSandboxRequest.fromPartial({ name: 'fuzz', labels: { a: 'b' }, spec: { template: { image: 'i', driverConfig: { fake: { k: [1, 'two', { three: true }] } } } } })).finish())]]);
    const failures: string[] = [];
    let calls = 0;
    for (const method of unary) {
      const seed = seeds.get(method.path) ?? Buffer.from(method.requestSerialize(method.requestDeserialize(Buffer.alloc(0))));
      for (let round = 0; round < 200 && Date.now() < deadline; round += 1) {
        const body = mutate(seed, random);
        const answer = await callRaw(method.path, body);
        calls += 1;
        if (BAD_CODES.has(answer.code)) {
          failures.push(`${method.path} ${body.toString('hex').slice(0, 120)} -> ${answer.code} ${answer.details.slice(0, 160)}`);
        }
      }
    }
    assert.deepEqual(failures.slice(0, 10), [], `${failures.length} of ${calls} fuzzed calls failed badly`);
    assert.ok(calls >= unary.length * 100, `only ${calls} calls ran within the time bound`);
    await assertConnectionWorks();
    assert.equal(gateway.child.exitCode, null, 'the gateway is still running');
  });
});

/** Random bytes, a truncated seed, or the seed with a few bytes flipped or inserted. */
function mutate(seed: Buffer, random: () => number): Buffer {
  const choice = random();
  if (choice < 0.2) return Buffer.from(Array.from({ length: Math.floor(random() * 64) }, () => Math.floor(random() * 256)));
  if (choice < 0.35) return seed.subarray(0, Math.floor(random() * seed.length));
  const bytes = Buffer.from(seed);
  const edits = 1 + Math.floor(random() * 4);
  const out = [...bytes];
  for (let edit = 0; edit < edits; edit += 1) {
    const at = Math.floor(random() * (out.length + 1));
    if (random() < 0.6 && at < out.length) out[at] = Math.floor(random() * 256);
    else out.splice(at, 0, Math.floor(random() * 256));
  }
  return Buffer.from(out);
}
