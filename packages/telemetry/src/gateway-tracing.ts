import { ROOT_CONTEXT, SpanKind, SpanStatusCode, defaultTextMapGetter, defaultTextMapSetter, trace } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import type { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';

/** One driver call being traced; `end` is called once, with the error it failed with. */
export interface TracedDriverCall {
  /** Sent with the call: the W3C `traceparent` naming this call's span. */
  readonly metadata: Readonly<Record<string, string>>;
  end(error: Error | undefined): void;
}

/** What the gateway's driver clients call (the driver SDK's `DriverCallObserver`). */
export interface DriverCallTracer {
  /** Undefined outside a traced API call: health probes and sweeps make no spans. */
  startCall(rpc: string): TracedDriverCall | undefined;
}

/** Traces of public API calls and the driver calls they make. */
export interface GatewayTracing {
  /**
   * Runs `work` inside a server span named after the RPC (a child of the caller's span when it
   * sent a W3C `traceparent`); its driver calls become child spans.
   */
  traceApiCall<T>(method: string, work: () => Promise<T>, traceparent?: string): Promise<T>;
  /** The tracer of one driver's client calls. */
  traceDriverCalls(driver: string): DriverCallTracer;
  /** Exports what is left and stops. */
  close(): Promise<void>;
}

function endSpan(span: Span, error: unknown): void {
  if (error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : 'failed' });
  span.end();
}

/**
 * Spans exported over OTLP/HTTP (JSON) to `url`, in batches. Nothing global is registered:
 * the active span lives in this tracing's own AsyncLocalStorage, so a driver call finds the
 * API call it serves, and the `traceparent` it sends lets the driver parent its own spans.
 */
export function startGatewayTracing(url: string, resource: Resource): GatewayTracing {
  const contextManager = new AsyncLocalStorageContextManager().enable();
  const propagator = new W3CTraceContextPropagator();
  const provider = new TracerProvider({ resource, spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url }) })] });
  const tracer = provider.getTracer('shellgate-gateway');
  return {
    traceApiCall: async (method, work, traceparent) => {
      const attributes = { 'rpc.system': 'grpc', 'rpc.service': 'openshell.v1.OpenShell', 'rpc.method': method };
      const caller = traceparent === undefined ? ROOT_CONTEXT : propagator.extract(ROOT_CONTEXT, { traceparent }, defaultTextMapGetter);
      const span = tracer.startSpan(method, { kind: SpanKind.SERVER, attributes }, caller);
      let failure: unknown;
      try {
        return await contextManager.with(trace.setSpan(caller, span), work);
      } catch (error) {
        failure = error;
        throw error;
      } finally {
        endSpan(span, failure);
      }
    },
    traceDriverCalls: (driver) => ({
      startCall: (rpc) => {
        const parent = contextManager.active();
        if (trace.getSpan(parent) === undefined) return undefined;
        const attributes = { 'rpc.system': 'grpc', 'rpc.service': 'openshell.compute.v1.ComputeDriver', 'rpc.method': rpc, 'shellgate.driver': driver };
        const span = tracer.startSpan(`ComputeDriver/${rpc}`, { kind: SpanKind.CLIENT, attributes }, parent);
        const metadata: Record<string, string> = {};
        propagator.inject(trace.setSpan(parent, span), metadata, defaultTextMapSetter);
        return { metadata, end: (error) => endSpan(span, error) };
      },
    }),
    close: async () => {
      await provider.shutdown();
      contextManager.disable();
    },
  };
}
