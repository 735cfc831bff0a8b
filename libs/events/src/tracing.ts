import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  propagation,
  trace,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';
import type { TraceContext } from '@marketplace/contracts';

/*
 * Spans of the event path, through the OpenTelemetry API only: while no SDK is registered
 * (OTEL_EXPORTER_OTLP_ENDPOINT unset, see service-kit's tracing.ts) every call here is the API's
 * no-op, so the relay and the consumer cost nothing more.
 */
const tracer = trace.getTracer('@marketplace/events');

/** W3C headers as found on a message or stored in an envelope. */
type Carrier = Readonly<Record<string, unknown>> | TraceContext | undefined;

interface TracedEvent {
  id: string;
  type: string;
  exchange: string;
  traceContext?: TraceContext | undefined;
}

/** The active trace context as W3C headers, to store with an event; undefined when none. */
export function activeTraceContext(): TraceContext | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  const { traceparent, tracestate } = carrier;
  if (traceparent === undefined) return undefined;
  return tracestate ? { traceparent, tracestate } : { traceparent };
}

/** A context built from W3C headers only, never from whatever request happens to be active. */
function contextFrom(headers: Carrier): Context | undefined {
  const { traceparent, tracestate } = (headers ?? {}) as Record<string, unknown>;
  if (typeof traceparent !== 'string') return undefined;
  const carrier = typeof tracestate === 'string' ? { traceparent, tracestate } : { traceparent };
  const extracted = propagation.extract(ROOT_CONTEXT, carrier);
  return trace.getSpanContext(extracted) ? extracted : undefined;
}

/** Starts an event's span; its attributes are only built when it records (never when off). */
function startEventSpan(
  name: 'publish' | 'process',
  kind: SpanKind,
  event: TracedEvent,
  parent: Context,
): Span {
  const span = tracer.startSpan(`${name} ${event.type}`, { kind }, parent);
  if (span.isRecording()) {
    const attributes: Attributes = {
      'messaging.system': 'rabbitmq',
      'messaging.operation.type': name === 'publish' ? 'send' : 'process',
      'messaging.destination.name': event.exchange,
      'messaging.rabbitmq.destination.routing_key': event.type,
      'messaging.message.id': event.id,
    };
    span.setAttributes(attributes);
  }
  return span;
}

function endWith(span: Span, error: unknown): void {
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : String(error),
  });
  span.end();
}

/**
 * Runs the relay's send of one event in a PRODUCER span, a child of the context the event was
 * stored with; `send` gets the headers that carry this span to the consumers (none when off).
 */
export async function tracePublish<T>(
  event: TracedEvent,
  send: (headers: Record<string, string>) => Promise<T>,
): Promise<T> {
  const parent = contextFrom(event.traceContext) ?? ROOT_CONTEXT;
  const span = startEventSpan('publish', SpanKind.PRODUCER, event, parent);
  const headers: Record<string, string> = {};
  propagation.inject(trace.setSpan(parent, span), headers);
  try {
    const result = await send(headers);
    span.end();
    return result;
  } catch (error) {
    endWith(span, error);
    throw error;
  }
}

/**
 * Runs a consumer's handling of one event in a CONSUMER span, active while `handle` runs (so the
 * events it enqueues continue the trace). Its parent is the relay's publish span from the
 * message headers, or else the context stored in the envelope.
 */
export async function traceConsume<T>(
  event: TracedEvent,
  headers: Carrier,
  handle: () => Promise<T>,
): Promise<T> {
  const parent = contextFrom(headers) ?? contextFrom(event.traceContext) ?? ROOT_CONTEXT;
  const span = startEventSpan('process', SpanKind.CONSUMER, event, parent);
  try {
    const result = await context.with(trace.setSpan(parent, span), handle);
    span.end();
    return result;
  } catch (error) {
    endWith(span, error);
    throw error;
  }
}
