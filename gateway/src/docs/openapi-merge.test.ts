import { describe, expect, it } from 'vitest';
import { mergeOpenApi } from './openapi-merge.ts';

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
    expect(merged.components?.schemas).toEqual({
      'user.def-0': { title: 'Problem' },
      'order.def-0': { title: 'Order' },
    });
    expect(JSON.stringify(merged.paths?.['/api/orders'])).toContain('order.def-0');
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
