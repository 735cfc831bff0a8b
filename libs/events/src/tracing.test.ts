import { context, propagation, trace, SpanKind } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  NodeTracerProvider,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEnvelope, parseEvent } from './envelope.ts';
import { tracePublish, traceConsume } from './tracing.ts';

const user = { userId: 'u1', email: 'a@b.c', name: 'A', role: 'buyer' as const };
const EXCHANGE = 'test.events';

describe('events while tracing is off (no SDK registered)', () => {
  it('when an event is created, then its envelope has no trace context at all', () => {
    const envelope = createEnvelope('user.registered', user, 'req-1');
    expect(envelope).not.toHaveProperty('traceContext');
  });

  it('when an event is published and consumed, then no header is added and the work runs', async () => {
    const envelope = createEnvelope('user.registered', user, null);
    const headers = await tracePublish({ ...envelope, exchange: EXCHANGE }, async (h) => h);
    expect(headers).toEqual({});
    await expect(
      traceConsume({ ...envelope, exchange: EXCHANGE }, {}, async () => 'handled'),
    ).resolves.toBe('handled');
  });
});

describe('events while tracing is on', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = trace.getTracer('test');

  beforeAll(() => provider.register());
  afterAll(async () => {
    await provider.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
  });
  beforeEach(() => exporter.reset());

  const finished = (name: string) => {
    const span = exporter.getFinishedSpans().find((s) => s.name === name);
    if (!span) throw new Error(`no finished span ${name}`);
    return span;
  };

  it('when an event is created inside a span, then its envelope carries that span as traceparent', () => {
    const envelope = tracer.startActiveSpan('request', (span) => {
      span.end();
      return createEnvelope('user.registered', user, 'req-1');
    });
    const { traceId, spanId } = finished('request').spanContext();
    expect(envelope.traceContext).toEqual({ traceparent: `00-${traceId}-${spanId}-01` });
    // Stored as JSON in the outbox row, and read back by the consumer.
    const parsed = parseEvent(Buffer.from(JSON.stringify(envelope)));
    expect(parsed).toEqual({ event: envelope });
  });

  it('when a delivered envelope has a malformed trace context, then it is dropped and the event still handled', () => {
    const envelope = { ...createEnvelope('user.registered', user, null), traceContext: 42 };
    const parsed = parseEvent(JSON.stringify(envelope));
    expect('event' in parsed && parsed.event).not.toHaveProperty('traceContext');
    expect('event' in parsed && parsed.event.id).toBe(envelope.id);
  });

  it('when the relay publishes a stored event, then a PRODUCER span continues its trace and the message carries it', async () => {
    const envelope = tracer.startActiveSpan('request', (span) => {
      span.end();
      return createEnvelope('user.registered', user, null);
    });
    // Whatever happens to be active in the relay (another request) must not become the parent.
    const headers = await tracer.startActiveSpan('unrelated', (other) =>
      tracePublish({ ...envelope, exchange: EXCHANGE }, async (h) => {
        other.end();
        return h;
      }),
    );
    const request = finished('request').spanContext();
    const publish = finished('publish user.registered');
    expect(publish.kind).toBe(SpanKind.PRODUCER);
    expect(publish.spanContext().traceId).toBe(request.traceId);
    expect(publish.parentSpanContext?.spanId).toBe(request.spanId);
    expect(publish.attributes).toMatchObject({
      'messaging.system': 'rabbitmq',
      'messaging.destination.name': EXCHANGE,
      'messaging.message.id': envelope.id,
    });
    expect(headers.traceparent).toBe(`00-${request.traceId}-${publish.spanContext().spanId}-01`);
  });

  it('when a consumer handles a message, then a CONSUMER span under the publish span is active while it works', async () => {
    const envelope = createEnvelope('user.registered', user, null);
    const headers = await tracePublish({ ...envelope, exchange: EXCHANGE }, async (h) => h);
    const inside = await traceConsume({ ...envelope, exchange: EXCHANGE }, headers, async () =>
      trace.getActiveSpan()?.spanContext(),
    );
    const publish = finished('publish user.registered').spanContext();
    const process = finished('process user.registered');
    expect(process.kind).toBe(SpanKind.CONSUMER);
    expect(process.parentSpanContext?.spanId).toBe(publish.spanId);
    expect(inside).toEqual(process.spanContext());
  });

  it("when a message has no trace headers (sent before tracing), then the envelope's context is the parent", async () => {
    const envelope = tracer.startActiveSpan('request', (span) => {
      span.end();
      return createEnvelope('user.registered', user, null);
    });
    await traceConsume({ ...envelope, exchange: EXCHANGE }, undefined, async () => undefined);
    expect(finished('process user.registered').parentSpanContext?.spanId).toBe(
      finished('request').spanContext().spanId,
    );
  });

  it('when handling fails, then the span records the error and the failure reaches the consumer', async () => {
    const envelope = createEnvelope('user.registered', user, null);
    await expect(
      traceConsume({ ...envelope, exchange: EXCHANGE }, {}, async () => {
        throw new Error('database down');
      }),
    ).rejects.toThrow('database down');
    expect(finished('process user.registered').status).toMatchObject({
      code: 2,
      message: 'database down',
    });
  });
});
