import { status as GrpcStatus, type ServerUnaryCall, type ServiceDefinition, type UntypedServiceImplementation, type sendUnaryData } from '@grpc/grpc-js';

type AnyHandler = (call: unknown, callback?: unknown) => void;

/**
 * Handlers of `service` that answer UNAVAILABLE ("gateway is starting") until `activate`
 * hands them the real ones. The gateway binds its API before it starts drivers, so spawned
 * drivers can be told the API's actual port (listen = "…:0" included) without a window
 * where the port is taken but calls hit half-built state.
 */
export function createDeferredHandlers<Impl extends UntypedServiceImplementation>(
  service: ServiceDefinition,
): { handlers: Impl; activate(real: Impl): void } {
  let target: Impl | undefined;
  const handlers: Record<string, AnyHandler> = {};
  for (const [method, definition] of Object.entries(service)) {
    const isUnary = !definition.requestStream && !definition.responseStream;
    handlers[method] = (call, callback) => {
      const real = target?.[method] as AnyHandler | undefined;
      if (real !== undefined) {
        real(call, callback);
        return;
      }
      const error = { code: GrpcStatus.UNAVAILABLE, details: 'the gateway is starting; retry in a moment' };
      if (isUnary) (callback as sendUnaryData<unknown>)(error);
      else (call as ServerUnaryCall<unknown, unknown>).emit('error', error);
    };
  }
  return {
    handlers: handlers as unknown as Impl,
    activate(real): void {
      target = real;
    },
  };
}
