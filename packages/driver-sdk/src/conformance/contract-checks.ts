import { Client, Metadata, credentials } from '@grpc/grpc-js';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { ErrorCode, isShellgateError } from '../errors.js';
import { ComputeDriverService } from '../gen/compute_driver.js';
import type { DriverSandbox, GatewayListenerRequirement } from '../gen/compute_driver.js';
import { parseListenerAddress } from '../sandbox-runtime/listener-address.js';
import type { ConformanceCheck } from './conformance-check.js';
import type { ConformanceContext } from './conformance-context.js';
import { expect, expectErrorCode } from './conformance-context.js';

const REJECTED = [ErrorCode.InvalidArgument, ErrorCode.FailedPrecondition];

const capabilities: ConformanceCheck = {
  name: 'capabilities',
  description: 'GetCapabilities names the driver and its version',
  async run(ctx) {
    const answer = await ctx.client.getCapabilities();
    expect(answer.driverName !== '', 'driver_name is empty');
    expect(answer.driverVersion !== '', 'driver_version is empty');
  },
};

const validateAcceptsValid: ConformanceCheck = {
  name: 'validate-accepts-valid',
  description: 'ValidateSandboxCreate accepts a well-formed sandbox',
  async run(ctx) {
    await ctx.client.validateSandboxCreate(ctx.newSandbox('valid'));
  },
};

async function expectAllRejected(ctx: ConformanceContext, cases: Array<[string, (sandbox: DriverSandbox) => void]>): Promise<void> {
  for (const [label, mutate] of cases) {
    const sandbox = ctx.newSandbox('invalid');
    mutate(sandbox);
    await expectErrorCode(`ValidateSandboxCreate with ${label}`, ctx.client.validateSandboxCreate(sandbox), REJECTED);
  }
}

const validateRejectsMalformed: ConformanceCheck = {
  name: 'validate-rejects-malformed',
  description: 'ValidateSandboxCreate rejects a bad cpu quantity',
  run: (ctx) =>
    expectAllRejected(ctx, [
      [
        'cpu_limit "lots"',
        (sandbox) => {
          if (sandbox.spec?.template === undefined) return;
          sandbox.spec.template.resources = { cpuRequest: '', cpuLimit: 'lots', memoryRequest: '', memoryLimit: '' };
        },
      ],
    ]),
};

// A claim: upstream OpenShell validates ids and names at its API, and its drivers do not.
const validateRejectsBadIdentity: ConformanceCheck = {
  name: 'validate-rejects-bad-identity',
  description: 'ValidateSandboxCreate rejects an empty id and an invalid name',
  skipReason: (ctx) => (ctx.claims.validatesIdsAndNames ? undefined : 'validates_ids_and_names is not claimed'),
  run: (ctx) =>
    expectAllRejected(ctx, [
      ['empty id', (sandbox) => void (sandbox.id = '')],
      ['invalid name "Not_A-DNS_label!"', (sandbox) => void (sandbox.name = 'Not_A-DNS_label!')],
    ]),
};

const listenerAddresses: ConformanceCheck = {
  name: 'listener-addresses',
  description: 'every exact_bind_address of GetGatewayListenerRequirements is IP:port',
  async run(ctx) {
    let requirements: GatewayListenerRequirement[];
    try {
      ({ requirements } = await ctx.client.getGatewayListenerRequirements());
    } catch (error) {
      // A driver whose sandboxes need no extra listener may leave the RPC out.
      if (isShellgateError(error) && error.code === ErrorCode.Unimplemented) return;
      throw error;
    }
    const bad = requirements.flatMap((requirement) =>
      requirement.selector?.$case === 'exactBindAddress' && parseListenerAddress(requirement.selector.exactBindAddress)?.port === undefined
        ? [JSON.stringify(requirement.selector.exactBindAddress)]
        : [],
    );
    expect(bad.length === 0, `exact_bind_address ${bad.join(', ')} is not IP:port (upstream OpenShell's gateway refuses to start with it)`);
  },
};

const getUnknownNotFound: ConformanceCheck = {
  name: 'get-unknown-not-found',
  description: 'GetSandbox of an unknown id answers NOT_FOUND',
  async run(ctx) {
    await expectErrorCode('GetSandbox of an unknown id', ctx.client.getSandbox(ctx.unknownId()), [ErrorCode.NotFound]);
  },
};

const stopStartUnknownNotFound: ConformanceCheck = {
  name: 'stop-start-unknown-not-found',
  description: 'StopSandbox and StartSandbox of an unknown id answer NOT_FOUND',
  skipReason: (ctx) => (ctx.claims.stopStart ? undefined : 'stop_start is not claimed'),
  async run(ctx) {
    await expectErrorCode('StopSandbox of an unknown id', ctx.client.stopSandbox(ctx.unknownId()), [ErrorCode.NotFound]);
    await expectErrorCode('StartSandbox of an unknown id', ctx.client.startSandbox(ctx.unknownId()), [ErrorCode.NotFound]);
  },
};

const deleteUnknownFalse: ConformanceCheck = {
  name: 'delete-unknown-false',
  description: 'DeleteSandbox of an unknown id answers deleted=false, not an error',
  async run(ctx) {
    const deleted = await ctx.client.deleteSandbox(ctx.unknownId());
    expect(!deleted, 'DeleteSandbox of an unknown id answered deleted=true');
  },
};

const createDuplicateAlreadyExists: ConformanceCheck = {
  name: 'create-duplicate-already-exists',
  description: 'a second CreateSandbox with the same id answers ALREADY_EXISTS',
  async run(ctx) {
    const sandbox = await ctx.create('dup');
    await expectErrorCode('a second CreateSandbox of the same id', ctx.client.createSandbox(sandbox), [
      ErrorCode.AlreadyExists,
    ]);
  },
};

// Field numbers far above any the contract uses; a proto3 reader must skip them.
const UNKNOWN_FIELD_BYTES = new BinaryWriter()
  .tag(1000, WireType.Varint)
  .int32(42)
  .tag(1001, WireType.LengthDelimited)
  .string('shellgate-conformance unknown field')
  .finish();

const ignoresUnknownFields: ConformanceCheck = {
  name: 'ignores-unknown-fields',
  description: 'requests carrying fields from a newer contract are answered as if the fields were absent',
  async run(ctx) {
    const sandbox = await ctx.create('unknown-fields');
    const raw = new Client(`unix://${ctx.socketPath}`, credentials.createInsecure());
    try {
      await callWithUnknownFields(raw, 'getCapabilities', {}, ctx);
      const answer = await callWithUnknownFields(raw, 'getSandbox', { sandboxId: sandbox.id, sandboxName: '' }, ctx);
      const got = (answer as { sandbox?: DriverSandbox }).sandbox;
      expect(got?.id === sandbox.id, `GetSandbox with unknown fields answered sandbox ${JSON.stringify(got?.id)}`);
    } finally {
      raw.close();
    }
  },
};

function callWithUnknownFields(
  raw: Client,
  method: 'getCapabilities' | 'getSandbox',
  request: object,
  ctx: ConformanceContext,
): Promise<unknown> {
  const definition = ComputeDriverService[method];
  const serialize = (value: object): Buffer =>
    Buffer.concat([(definition.requestSerialize as (v: object) => Buffer)(value), UNKNOWN_FIELD_BYTES]);
  return new Promise((resolve, reject) => {
    raw.makeUnaryRequest(
      definition.path,
      serialize,
      definition.responseDeserialize as (value: Buffer) => unknown,
      request,
      new Metadata(),
      { deadline: Date.now() + ctx.timeoutMs },
      (error, response) => {
        if (error === null) resolve(response);
        else reject(new Error(`${definition.path} with unknown fields failed: ${error.message}`));
      },
    );
  });
}

/** Checks of single RPC answers: capabilities, validation, listener addresses, unknown ids, duplicates, wire tolerance. */
export const contractChecks: readonly ConformanceCheck[] = [
  capabilities,
  validateAcceptsValid,
  validateRejectsMalformed,
  validateRejectsBadIdentity,
  listenerAddresses,
  getUnknownNotFound,
  stopStartUnknownNotFound,
  deleteUnknownFalse,
  createDuplicateAlreadyExists,
  ignoresUnknownFields,
];
