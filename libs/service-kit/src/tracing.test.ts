import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { activeTracing, dropPropagationHeaders, spanName, startTracing } from './tracing.ts';

const loaded = () =>
  Object.keys(createRequire(import.meta.url).cache).filter((path) =>
    /@opentelemetry[\\/](sdk-trace|exporter|instrumentation)|@fastify[\\/]otel/.test(path),
  );

describe('startTracing', () => {
  it.each([
    ['unset', {}],
    ['empty', { OTEL_EXPORTER_OTLP_ENDPOINT: '' }],
  ])(
    'when the endpoint is %s, then nothing starts and no SDK module is even loaded',
    (_, config) => {
      expect(startTracing('svc', config)).toBeUndefined();
      expect(activeTracing()).toBeUndefined();
      expect(loaded()).toEqual([]);
    },
  );
});

describe('dropPropagationHeaders', () => {
  it("when a proxied request carries its client's trace headers, then they go and the rest stay", () => {
    const request = {
      headers: [
        'TraceParent',
        '00-aaaa-bbbb-01',
        'x-request-id',
        'r1',
        'tracestate',
        'k=v',
        'baggage',
        'a=b',
        'accept',
        'application/json',
      ],
    };
    dropPropagationHeaders(request);
    expect(request.headers).toEqual(['x-request-id', 'r1', 'accept', 'application/json']);
  });
});

describe('spanName', () => {
  it('when a route matched, then the span is named by its pattern, never the URL', () => {
    expect(spanName({ method: 'GET', routeOptions: { url: '/api/orders/:id' } } as never)).toBe(
      'GET /api/orders/:id',
    );
    expect(spanName({ method: 'GET', routeOptions: { url: undefined } } as never)).toBe('GET');
  });
});
