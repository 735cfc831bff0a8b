import { describe, expect, it } from 'vitest';
import { mergeOpenApi, PUBLIC_TAGS, type OpenApiDocument } from './openapi-merge.ts';

type Operation = { responses: Record<string, { content?: Record<string, unknown> }> };

function operation(doc: OpenApiDocument, path: string, method: string): Operation {
  return (doc.paths?.[path] as Record<string, Operation>)[method] as Operation;
}

describe('mergeOpenApi', () => {
  it('when two services both have def-0, then each keeps its own under a prefixed name', () => {
    const ref = { $ref: '#/components/schemas/def-0' };
    const merged = mergeOpenApi(
      [
        {
          service: 'user',
          document: {
            paths: { '/api/users/me': { get: { responses: { 401: ref } } }, '/health': {} },
            components: { schemas: { 'def-0': { title: 'Problem' } } },
          },
        },
        {
          service: 'order',
          document: {
            paths: { '/api/orders': { get: { responses: { 200: ref } } } },
            components: { schemas: { 'def-0': { title: 'Order' } } },
          },
        },
      ],
      '1.0.0',
    );
    expect(Object.keys(merged.paths ?? {})).toEqual(['/api/orders', '/api/users/me']);
    expect(merged.components?.schemas).toMatchObject({
      'user.def-0': { title: 'Problem' },
      'order.def-0': { title: 'Order' },
    });
    expect(merged.components?.schemas).not.toHaveProperty('def-0');
    expect(JSON.stringify(merged.paths?.['/api/orders'])).toContain('order.def-0');
  });

  it('when every service has the same schema under one name, then it is kept once, unprefixed', () => {
    const shared = { type: 'object', properties: { id: { type: 'string' } } };
    const part = (service: string, path: string) => ({
      service,
      document: {
        paths: { [path]: { get: { responses: { 200: { $ref: '#/components/schemas/Thing' } } } } },
        components: { schemas: { Thing: shared } },
      },
    });
    const merged = mergeOpenApi([part('user', '/api/a'), part('order', '/api/b')], '1.0.0');
    expect(Object.keys(merged.components?.schemas ?? {}).sort()).toEqual(['Problem', 'Thing']);
    expect(JSON.stringify(merged.paths)).not.toContain('.Thing');
  });

  it('when an operation documents no 429, then the rate limit’s 429 is added, a problem', () => {
    const merged = mergeOpenApi(
      [
        {
          service: 'product',
          document: {
            paths: {
              '/api/categories': { get: { responses: { 200: {} } } },
              '/api/auth/login': { post: { responses: { 429: { description: 'throttled' } } } },
            },
          },
        },
      ],
      '1.0.0',
    );
    const added = operation(merged, '/api/categories', 'get').responses['429'];
    expect(added?.content).toEqual({
      'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
    });
    expect(operation(merged, '/api/auth/login', 'post').responses['429']).toEqual({
      description: 'throttled',
    });
  });

  it('when operations name tags, then the document lists them described, in reading order', () => {
    const tagged = (tags: string[]) => ({ get: { tags, responses: {} } });
    const merged = mergeOpenApi(
      [
        {
          service: 'order',
          document: { paths: { '/api/orders': tagged(['orders']), '/api/x': tagged(['extra']) } },
        },
        { service: 'user', document: { paths: { '/api/auth/jwks': tagged(['auth']) } } },
      ],
      '1.0.0',
    );
    expect(merged.tags).toEqual([
      PUBLIC_TAGS.find((tag) => tag.name === 'auth'),
      PUBLIC_TAGS.find((tag) => tag.name === 'orders'),
      { name: 'extra' },
    ]);
    expect(merged.info?.license?.name).toContain('Proprietary');
    expect(merged.servers).toEqual([expect.objectContaining({ url: '/' })]);
  });

  it('when a service document is missing, then the rest is merged and the gap is named', () => {
    const merged = mergeOpenApi(
      [
        { service: 'product', document: null },
        { service: 'user', document: { paths: { '/api/auth/login': {} } } },
      ],
      '1.0.0',
    );
    expect(Object.keys(merged.paths ?? {})).toEqual(['/api/auth/login']);
    expect(merged['x-unavailable-services']).toEqual(['product']);
    expect(merged.info?.description).toContain('product');
  });
});
