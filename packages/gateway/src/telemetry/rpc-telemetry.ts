import type { RpcScope } from '../api/index.js';
import type { GatewayTelemetry } from './load-telemetry.js';

/** The API's hooks into telemetry: each finished call is counted, each unary call traced. */
export function toRpcTelemetry(telemetry: GatewayTelemetry): Pick<RpcScope, 'onCallDone' | 'traceCall'> {
  return {
    onCallDone: (rpc, code) => telemetry.recordApiCall(rpc, code),
    traceCall: (rpc, work, traceparent) => telemetry.traceApiCall(rpc, work, traceparent),
  };
}
