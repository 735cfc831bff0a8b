import { randomUUID } from 'node:crypto';
import { Value } from 'typebox/value';
import {
  EventDataSchemas,
  type DomainEvent,
  type EventData,
  type EventEnvelope,
  type EventType,
} from '@marketplace/contracts';
import { activeTraceContext } from './tracing.ts';

/** A new event; it carries the active trace context, if any, so its handling joins that trace. */
export function createEnvelope<T extends EventType>(
  type: T,
  data: EventData<T>,
  correlationId: string | null,
): EventEnvelope<T, EventData<T>> {
  const traceContext = activeTraceContext();
  return {
    id: randomUUID(),
    type,
    version: 1,
    occurredAt: new Date().toISOString(),
    correlationId,
    ...(traceContext ? { traceContext } : {}),
    data,
  };
}

/** A trace context is only ever a hint: a malformed one is dropped, never a reason to park. */
function isTraceContext(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const { traceparent, tracestate } = value as Record<string, unknown>;
  return (
    typeof traceparent === 'string' && (tracestate === undefined || typeof tracestate === 'string')
  );
}

const UUIDISH = /^[0-9a-f-]{36}$/i;

/** Parses a delivered body into a known, schema-valid event, or says why it is not one. */
export function parseEvent(body: unknown): { event: DomainEvent } | { error: string } {
  let value: unknown = body;
  if (Buffer.isBuffer(body)) value = body.toString('utf8');
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return { error: 'body is not JSON' };
    }
  }
  if (typeof value !== 'object' || value === null) return { error: 'body is not an object' };
  const candidate = value as Partial<EventEnvelope>;
  if (typeof candidate.id !== 'string' || !UUIDISH.test(candidate.id))
    return { error: 'missing or bad id' };
  if (typeof candidate.type !== 'string' || !(candidate.type in EventDataSchemas)) {
    return { error: `unknown event type ${String(candidate.type)}` };
  }
  const schema = EventDataSchemas[candidate.type as EventType];
  if (!Value.Check(schema, candidate.data))
    return { error: `data does not match ${candidate.type}` };
  if ('traceContext' in candidate && !isTraceContext(candidate.traceContext)) {
    delete candidate.traceContext;
  }
  return { event: candidate as DomainEvent };
}
