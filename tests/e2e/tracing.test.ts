import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthSession, CheckoutResult, PageOf, Product } from '@marketplace/contracts';
import { waitFor } from '@marketplace/testing';
import { startStack, type Service, type Stack } from './stack.ts';
import { gatewayClient } from './client.ts';

/** One span as OTLP/HTTP JSON carries it (ids in hex), with the service that sent it. */
interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
}

// OTLP's SpanKind numbers (SPAN_KIND_SERVER = 2, ...), as the JSON encoding sends them.
const KIND = { server: 2, client: 3, producer: 4, consumer: 5 } as const;

interface OtlpExport {
  resourceSpans?: {
    resource?: { attributes?: { key: string; value?: { stringValue?: string } }[] };
    scopeSpans?: { spans?: Omit<ReceivedSpan, 'service'>[] }[];
  }[];
}

/** A small OTLP/HTTP receiver: keeps every span it is sent, answers as a collector does. */
function otlpReceiver(): { server: Server; spans: ReceivedSpan[] } {
  const spans: ReceivedSpan[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.url === '/v1/traces' && request.method === 'POST') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpExport;
        for (const resource of body.resourceSpans ?? []) {
          const service =
            resource.resource?.attributes?.find((a) => a.key === 'service.name')?.value
              ?.stringValue ?? '?';
          for (const scope of resource.scopeSpans ?? []) {
            for (const span of scope.spans ?? []) spans.push({ ...span, service });
          }
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return { server, spans };
}

const TRACED: Service[] = ['gateway', 'product-service', 'order-service', 'notification-service'];

describe('tracing, end to end', () => {
  const receiver = otlpReceiver();
  let stack: Stack;
  let api: ReturnType<typeof gatewayClient>;
  let collector: string;

  beforeAll(async () => {
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    collector = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}`;
    // Exported within 200 ms rather than the default 5 s.
    const fast = { OTEL_BSP_SCHEDULE_DELAY: '200' };
    const env: Partial<Record<Service, Record<string, string>>> = Object.fromEntries(
      TRACED.map((service) => [service, { ...fast, OTEL_EXPORTER_OTLP_ENDPOINT: collector }]),
    );
    // user-service is left untraced: the SDK's own variables alone must not turn tracing on.
    env['user-service'] = { ...fast, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${collector}/v1/traces` };
    stack = await startStack({ env });
    api = gatewayClient(stack.gatewayUrl);
  });

  afterAll(async () => {
    await stack?.stop();
    await new Promise((resolve) => receiver.server.close(resolve));
  });

  const spansOf = (traceId: string) => receiver.spans.filter((s) => s.traceId === traceId);

  it('when a checkout goes through the gateway, then one trace follows it through every service and RabbitMQ to the notification', async () => {
    const buyer = await api.post<AuthSession>('/api/auth/register', {
      email: `traced-${randomUUID()}@example.test`,
      password: 'correct horse battery staple',
      name: 'Traced Buyer',
    });
    expect(buyer.status).toBe(201);
    const page = await api.get<PageOf<Product>>('/api/products?limit=100');
    const product = page.body.items.find((p) => p.stock >= 1);
    expect(product).toBeDefined();

    // The client starts the trace, so the test knows its id (the gateway continues it).
    const traceId = randomBytes(16).toString('hex');
    const clientSpanId = randomBytes(8).toString('hex');
    const checkout = await api.post<CheckoutResult>(
      '/api/orders',
      {
        items: [{ productId: product!.id, quantity: 1 }],
        shippingAddress: {
          name: 'Traced Buyer',
          line1: '1 Main St',
          city: 'Springfield',
          postalCode: '12345',
          country: 'US',
        },
      },
      buyer.body.accessToken,
      { 'idempotency-key': randomUUID(), traceparent: `00-${traceId}-${clientSpanId}-01` },
    );
    expect(checkout.status).toBe(201);

    // Each service exports on its own schedule (a busy one later): wait for the consumer's span
    // and for the parent of every span that has arrived, so the tree below is whole.
    const handled = await waitFor(
      () => {
        const arrived = spansOf(traceId);
        const ids = new Set(arrived.map((s) => s.spanId));
        const consumer = arrived.find(
          (s) => s.service === 'notification-service' && s.name === 'process order.created',
        );
        const whole = arrived.every(
          (s) => s.parentSpanId === clientSpanId || ids.has(s.parentSpanId),
        );
        return consumer && whole ? consumer : undefined;
      },
      {
        timeoutMs: 20_000,
        what: "notification-service's span of order.created, and every span's parent, in the trace",
      },
    );
    const spans = spansOf(traceId);
    const byId = new Map(spans.map((s) => [s.spanId, s]));

    // One tree: every span's parent is in the trace, except the root, whose parent is the client.
    const roots = spans.filter((s) => !byId.has(s.parentSpanId));
    expect(roots.map((s) => [s.service, s.name, s.parentSpanId])).toEqual([
      ['gateway', 'POST /api/orders', clientSpanId],
    ]);
    expect(new Set(spans.map((s) => s.service))).toEqual(new Set(TRACED));

    // The path from the notification back to the gateway: consumer <- publish <- ... <- gateway.
    const path: ReceivedSpan[] = [];
    for (let at: ReceivedSpan | undefined = handled; at; at = byId.get(at.parentSpanId)) {
      path.push(at);
    }
    const steps = path.map((s) => `${s.service} ${s.name}`);
    expect(handled.kind).toBe(KIND.consumer);
    expect(path[1]).toMatchObject({
      service: 'order-service',
      name: 'publish order.created',
      kind: KIND.producer,
    });
    expect(steps).toContain('order-service POST /api/orders');
    expect(steps.at(-1)).toBe('gateway POST /api/orders');

    // The stock reservation: order-service's client call, product-service's server span under it.
    const reservation = spans.find(
      (s) =>
        s.service === 'product-service' &&
        s.kind === KIND.server &&
        /^POST \/internal\//.test(s.name),
    );
    expect(reservation, spans.map((s) => `${s.service} ${s.name}`).join('\n')).toBeDefined();
    const call = byId.get(reservation!.parentSpanId);
    expect(call).toMatchObject({ service: 'order-service', kind: KIND.client });
  });

  it("when OTEL_EXPORTER_OTLP_ENDPOINT is unset, then that service exports nothing, even with the SDK's own OTEL_* variables set", async () => {
    // Its registrations above went through the traced gateway, whose spans have arrived.
    await waitFor(
      () =>
        receiver.spans.find((s) => s.service === 'gateway' && s.name === 'POST /api/auth/register'),
      { timeoutMs: 10_000, what: "the gateway's span of a registration" },
    );
    expect(receiver.spans.filter((s) => s.service === 'user-service')).toEqual([]);
  });

  it('when a service with a database is scraped, then its pool and route metrics are there', async () => {
    const text = await (await fetch(`${stack.urls['order-service']}/metrics`)).text();
    for (const state of ['used', 'idle']) {
      expect(text).toMatch(new RegExp(`^db_client_connections\\{[^}]*state="${state}"`, 'm'));
    }
    expect(text).toMatch(/^db_client_connections_pending_requests\{/m);
    expect(text).toMatch(/^db_client_connections_max\{[^}]*\} 10$/m);
    expect(text).toMatch(
      /^http_request_duration_seconds_count\{[^}]*method="POST",route="\/api\/orders",status="201"\} [1-9]/m,
    );
    expect(text).toMatch(/^nodejs_eventloop_lag_p99_seconds\{/m);
    expect(text).toMatch(/^outbox_oldest_pending_seconds\{/m);
  });
});
