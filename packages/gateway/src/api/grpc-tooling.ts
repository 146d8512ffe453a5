import { readFileSync } from 'node:fs';
import type { Server } from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation, type ServingStatus } from 'grpc-health-check';
import { ErrorCode, ShellgateError } from '@shellgate/driver-sdk';
import { WireType, readWireFields } from './wire-fields.js';

/** protoc's FileDescriptorSet of every service on the primary listener (scripts/build-descriptors.mjs). */
const DESCRIPTOR_SET = new URL('../proto/descriptor-set.binpb', import.meta.url);
const FILE_DESCRIPTOR_SET_FILE = 1;

/** What `Check`/`Watch` answer for: the whole server ("") and each API service. */
export const HEALTH_CHECKED_SERVICES: readonly string[] = ['', 'openshell.v1.OpenShell', 'shellgate.supervisor.v1.SupervisorSession'];

/**
 * The standard services grpcurl, grpc_health_probe and Kubernetes gRPC probes use:
 * `grpc.health.v1.Health` (per service, with Watch) and server reflection. Both live outside
 * the OpenShell handlers, so no bearer token applies (upstream leaves its own Health open
 * too); TLS and client certificates still do, as for every call on the listener.
 */
export class GrpcTooling {
  readonly #health = new HealthImplementation(Object.fromEntries(HEALTH_CHECKED_SERVICES.map((service) => [service, 'NOT_SERVING'])));
  readonly #reflection: ReflectionService;

  constructor() {
    // The reflection service reads only `fileDescriptorProtos` of each package entry, so
    // protoc's files go in as one entry (the health and reflection protos too: `list` shows them).
    const definition = { descriptors: { fileDescriptorProtos: readDescriptorFiles() } };
    this.#reflection = new ReflectionService(definition as unknown as ConstructorParameters<typeof ReflectionService>[0]);
  }

  /** Health only: callback listeners face sandboxes, which need no schema browsing. */
  addHealthTo(server: Server): void {
    this.#health.addToServer(server);
  }

  /** Health and reflection: the primary listener. */
  addAllTo(server: Server): void {
    this.#health.addToServer(server);
    this.#reflection.addToServer(server);
  }

  /** SERVING once the API handlers are live; NOT_SERVING from the start of a shutdown. */
  setServing(isServing: boolean): void {
    const status: ServingStatus = isServing ? 'SERVING' : 'NOT_SERVING';
    for (const service of HEALTH_CHECKED_SERVICES) this.#health.setStatus(service, status);
  }
}

/** The encoded FileDescriptorProtos of the shipped set. */
function readDescriptorFiles(): Buffer[] {
  let fields;
  try {
    fields = readWireFields(readFileSync(DESCRIPTOR_SET));
  } catch (cause) {
    throw new ShellgateError(ErrorCode.FailedPrecondition, `cannot read the API descriptors ${DESCRIPTOR_SET.pathname}`, {
      hint: 'the gateway package is incomplete: rebuild it (pnpm run build) or reinstall it',
      cause,
    });
  }
  const files = fields?.filter((field) => field.number === FILE_DESCRIPTOR_SET_FILE && field.wireType === WireType.Len).map((field) => field.content);
  if (files === undefined || files.length === 0 || files.some((file) => file === undefined)) {
    throw new ShellgateError(ErrorCode.FailedPrecondition, `${DESCRIPTOR_SET.pathname} is not a FileDescriptorSet`, { hint: 'rebuild the gateway package (pnpm run build)' });
  }
  return files as Buffer[];
}
