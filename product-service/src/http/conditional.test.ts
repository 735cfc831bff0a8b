import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Type } from 'typebox';
import { createServiceApp, type ServiceApp } from '@marketplace/service-kit';
import {
  CACHE_POLICIES,
  ifNoneMatchMatches,
  preSerialized,
  registerConditionalGet,
  serializedBody,
  weakEtag,
  type SerializedBody,
} from './conditional.ts';

const PageSchema = Type.Object({ items: Type.Array(Type.String()) });

async function buildTestApp(): Promise<{ app: ServiceApp; state: { items: string[] } }> {
  const app = await createServiceApp({ name: 'conditional-test', logger: false });
  registerConditionalGet(app);
  const state = { items: ['lamp', 'chair'] };
  let cached: SerializedBody | undefined;
  app.get('/listing', { config: { cache: 'listing' } }, async () => ({ items: state.items }));
  app.get('/categories', { config: { cache: 'categories' } }, async () => ({ tree: [] }));
  app.get('/archived', { config: { cache: 'product' } }, async (_request, reply) =>
    reply.header('cache-control', 'private, no-store').send({ id: 'p1', status: 'archived' }),
  );
  app.get('/missing', { config: { cache: 'product' } }, async (_request, reply) =>
    reply.code(404).send({ title: 'not found' }),
  );
  app.get(
    '/cached',
    { config: { cache: 'listing' }, schema: { response: { 200: PageSchema } } },
    async (_request, reply) => {
      // As the lead's listing cache will: serialized by the route's schema once, then resent.
      cached ??= serializedBody(reply.serialize({ items: state.items, internal: 'dropped' }));
      return preSerialized(reply, cached);
    },
  );
  app.get('/own-etag', { config: { cache: 'product' } }, async (_request, reply) =>
    reply.header('etag', 'W/"from-the-cache"').send({ id: 'p1' }),
  );
  app.get('/own-304', { config: { cache: 'categories' } }, async (_request, reply) =>
    reply.code(304).header('etag', 'W/"tree"').send(),
  );
  app.get('/plain', async () => ({ ok: true }));
  await app.ready();
  return { app, state };
}

describe('registerConditionalGet', () => {
  let app: ServiceApp;
  let state: { items: string[] };

  beforeAll(async () => {
    ({ app, state } = await buildTestApp());
  });

  afterAll(async () => {
    await app.close();
  });

  it('when a listing is read, then it is public, revalidated each time, with a weak ETag of its body', async () => {
    const response = await app.inject({ method: 'GET', url: '/listing' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('public, no-cache');
    expect(response.headers.etag).toBe(weakEtag(response.body));
    expect(response.headers.etag).toMatch(/^W\/"[\w-]{27}"$/);
  });

  it('when the ETag is sent back and nothing changed, then 304 with no body and the same validators', async () => {
    const first = await app.inject({ method: 'GET', url: '/listing' });
    const response = await app.inject({
      method: 'GET',
      url: '/listing',
      headers: { 'if-none-match': first.headers.etag as string },
    });
    expect(response.statusCode).toBe(304);
    expect(response.body).toBe('');
    expect(response.headers.etag).toBe(first.headers.etag);
    expect(response.headers['cache-control']).toBe('public, no-cache');
    expect(response.headers['content-type']).toBeUndefined();
    expect(response.headers['content-length']).toBeUndefined();
  });

  it('when the body changed since the ETag, then 200 with the new body and a new ETag', async () => {
    const before = await app.inject({ method: 'GET', url: '/listing' });
    state.items = ['lamp'];
    const response = await app.inject({
      method: 'GET',
      url: '/listing',
      headers: { 'if-none-match': before.headers.etag as string },
    });
    state.items = ['lamp', 'chair'];
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ items: ['lamp'] });
    expect(response.headers.etag).not.toBe(before.headers.etag);
  });

  it.each([
    ['a list holding it (strong form)', (tag: string) => `"other", ${tag.slice(2)}`],
    ['a list with empty elements', (tag: string) => ` , ${tag},`],
    ['*', () => '*'],
  ])('when If-None-Match is %s, then 304', async (_case, header) => {
    const { etag } = (await app.inject({ method: 'GET', url: '/listing' })).headers;
    const response = await app.inject({
      method: 'GET',
      url: '/listing',
      headers: { 'if-none-match': header(etag as string) },
    });
    expect(response.statusCode).toBe(304);
  });

  it('when a HEAD request revalidates, then 304 with the ETag', async () => {
    const { etag } = (await app.inject({ method: 'HEAD', url: '/listing' })).headers;
    expect(etag).toBeDefined();
    const response = await app.inject({
      method: 'HEAD',
      url: '/listing',
      headers: { 'if-none-match': etag as string },
    });
    expect(response.statusCode).toBe(304);
    expect(response.headers.etag).toBe(etag);
  });

  it('when categories are read, then they are fresh a minute and stale-while-revalidate five', async () => {
    const response = await app.inject({ method: 'GET', url: '/categories' });
    expect(response.headers['cache-control']).toBe(CACHE_POLICIES.categories);
    expect(response.headers['cache-control']).toBe(
      'public, max-age=60, stale-while-revalidate=300',
    );
  });

  it('when the handler marks the answer private, then it is left alone: no ETag and never a 304', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/archived',
      headers: { 'if-none-match': '*' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('private, no-store');
    expect(response.headers.etag).toBeUndefined();
    expect(response.json()).toEqual({ id: 'p1', status: 'archived' });
  });

  it('when the route answers other than 200, then no-store and no ETag', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/missing',
      headers: { 'if-none-match': '*' },
    });
    expect(response.statusCode).toBe(404);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers.etag).toBeUndefined();
  });

  it('when a body serialized earlier is resent, then its schema-filtered bytes and ETag are used as they are', async () => {
    const first = await app.inject({ method: 'GET', url: '/cached' });
    expect(first.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(first.json()).toEqual({ items: ['lamp', 'chair'] });
    expect(first.headers.etag).toBe(weakEtag(first.body));
    const again = await app.inject({
      method: 'GET',
      url: '/cached',
      headers: { 'if-none-match': first.headers.etag as string },
    });
    expect(again.statusCode).toBe(304);
  });

  it('when the handler sets the ETag itself, then the payload is not hashed again', async () => {
    const response = await app.inject({ method: 'GET', url: '/own-etag' });
    expect(response.headers.etag).toBe('W/"from-the-cache"');
    const again = await app.inject({
      method: 'GET',
      url: '/own-etag',
      headers: { 'if-none-match': 'W/"from-the-cache"' },
    });
    expect(again.statusCode).toBe(304);
  });

  it('when the handler answers 304 itself, then it gets the Cache-Control of its 200', async () => {
    const response = await app.inject({ method: 'GET', url: '/own-304' });
    expect(response.statusCode).toBe(304);
    expect(response.headers['cache-control']).toBe(CACHE_POLICIES.categories);
    expect(response.headers.etag).toBe('W/"tree"');
  });

  it('when a route names no policy, then it gets no caching headers', async () => {
    const response = await app.inject({ method: 'GET', url: '/plain' });
    expect(response.headers['cache-control']).toBeUndefined();
    expect(response.headers.etag).toBeUndefined();
  });

  it('when a route names an unknown policy, then registering it fails', async () => {
    const other = await createServiceApp({ name: 'conditional-test', logger: false });
    registerConditionalGet(other);
    expect(() =>
      other.get('/x', { config: { cache: 'listings' as 'listing' } }, async () => ({})),
    ).toThrow(/unknown cache policy "listings"/);
    await other.close();
  });
});

describe('ifNoneMatchMatches', () => {
  const etag = 'W/"abc"';

  it.each([
    ['W/"abc"', true],
    ['"abc"', true],
    ['"x", W/"abc"', true],
    ['"a,b", "abc"', true],
    ['*', true],
    ['"abd"', false],
    ['"a,b"', false],
    ['abc', false],
    ['"x" "abc"', false],
    ['', false],
  ])('when If-None-Match is %j, then the match is %s', (header, expected) => {
    expect(ifNoneMatchMatches(header, etag)).toBe(expected);
  });

  it('when the opaque tag holds a comma, then it is one tag, not two', () => {
    expect(ifNoneMatchMatches('"a,b"', '"a,b"')).toBe(true);
    expect(ifNoneMatchMatches('"a,b"', '"a"')).toBe(false);
  });
});
