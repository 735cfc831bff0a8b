import Fastify from 'fastify';
import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { docsPlugin, type DocsOptions } from './docs.ts';

async function register(options: unknown): Promise<void> {
  const app = Fastify();
  try {
    await app.register(docsPlugin, options as DocsOptions);
  } finally {
    await app.close();
  }
}

describe('docsPlugin', () => {
  it.each([
    [{}, '"title"'],
    [{ title: '' }, '"title"'],
    [{ title: 'svc', version: 1 }, '"version"'],
    [{ title: 'svc', description: ['x'] }, '"description"'],
    [{ title: 'svc', openapi: {} }, '"openapi"'],
  ])('when registered with %j, then it refuses naming %s', async (options, named) => {
    await expect(register(options)).rejects.toThrow(named);
  });

  it('when routes follow it, then /openapi.json documents them under shared $ids', async () => {
    const app = Fastify();
    await app.register(docsPlugin, { title: 'svc', version: '1.2.3' });
    app.addSchema({ $id: 'Thing', type: 'object', properties: { id: { type: 'string' } } });
    app.get('/things', { schema: { response: { 200: { $ref: 'Thing' } } } }, async () => ({}));
    const doc = (await app.inject({ url: '/openapi.json' })).json<{
      info: { title: string; version: string };
      paths: Record<string, unknown>;
      components: { schemas: Record<string, unknown> };
    }>();
    expect(doc.info).toMatchObject({ title: 'svc', version: '1.2.3' });
    expect(Object.keys(doc.paths)).toEqual(['/things']);
    expect(doc.components.schemas).toHaveProperty('Thing');
    await app.close();
  });

  it('when a route gives no response descriptions, then each status gets its meaning, problems their media type', async () => {
    const app = Fastify();
    await app.register(docsPlugin, { title: 'svc' });
    app.addSchema({ $id: 'Problem', type: 'object', properties: { code: { type: 'string' } } });
    app.get(
      '/things/:id',
      {
        schema: {
          operationId: 'getThing',
          summary: 'One thing',
          security: [],
          response: {
            200: { description: 'The thing', type: 'object' },
            404: { $ref: 'Problem' },
          },
        },
      },
      async () => ({}),
    );
    const doc = (await app.inject({ url: '/openapi.json' })).json<{
      paths: Record<string, { get: Record<string, unknown> }>;
    }>();
    const operation = doc.paths['/things/{id}']?.get;
    expect(operation).toMatchObject({
      operationId: 'getThing',
      summary: 'One thing',
      security: [],
    });
    expect(operation?.responses).toMatchObject({
      200: { description: 'The thing' },
      404: {
        description: 'Not found',
        content: {
          'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
        },
      },
    });
    await app.close();
  });

  it('when a route takes a union of literals and a defaulted query, then the document shows an enum and an optional parameter', async () => {
    const app = Fastify();
    await app.register(docsPlugin, { title: 'svc' });
    const sort = Type.Union([Type.Literal('newest'), Type.Literal('price_asc')]);
    const querystring = Type.Object({
      sort: Type.Optional(sort),
      limit: Type.Integer({ default: 20 }),
    });
    const before = JSON.stringify(querystring);
    app.get('/things', { schema: { querystring } }, async () => ({}));
    const doc = (await app.inject({ url: '/openapi.json' })).json<{
      paths: Record<string, { get: { parameters: Record<string, unknown>[] } }>;
    }>();
    const parameters = doc.paths['/things']?.get.parameters ?? [];
    expect(parameters.find((p) => p.name === 'sort')).toMatchObject({
      required: false,
      schema: { type: 'string', enum: ['newest', 'price_asc'] },
    });
    expect(parameters.find((p) => p.name === 'limit')).toMatchObject({ required: false });
    // The route validates with its own schema, untouched by what the document shows.
    expect(JSON.stringify(querystring)).toBe(before);
    await app.close();
  });
});
