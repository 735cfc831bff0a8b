import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { errorsPlugin, type ErrorsOptions } from './errors.ts';

describe('errorsPlugin', () => {
  it('when registered with an option it does not know, then it refuses naming it', async () => {
    const app = Fastify();
    await expect(
      app.register(errorsPlugin, { genericMessage: 'x' } as unknown as ErrorsOptions),
    ).rejects.toThrow('"genericMessage"');
    await app.close();
  });

  it('when an AppError carries headers and field errors, then the problem has them', async () => {
    const app = Fastify();
    await app.register(errorsPlugin);
    app.get('/limited', async () => {
      throw AppError.tooManyRequests('too-many-attempts', 'Slow down.', {
        headers: { 'retry-after': '7' },
        errors: [{ field: 'email', message: 'is throttled' }],
      });
    });
    const res = await app.inject({ url: '/limited' });
    expect(res.statusCode).toBe(429);
    expect(res.headers['retry-after']).toBe('7');
    expect(res.json()).toMatchObject({
      type: 'https://marketplace.local/problems/too-many-attempts',
      title: 'Too Many Requests',
      status: 429,
      code: 'too-many-attempts',
      detail: 'Slow down.',
      errors: [{ field: 'email', message: 'is throttled' }],
    });
    await app.close();
  });

  it('when Fastify refuses a request itself, then the problem carries the catalogue code for it', async () => {
    const app = Fastify();
    await app.register(errorsPlugin);
    app.post('/things', async () => ({}));
    const res = await app.inject({
      method: 'POST',
      url: '/things',
      headers: { 'content-type': 'text/x-unknown' },
      payload: 'x',
    });
    expect(res.statusCode).toBe(415);
    expect(res.json()).toMatchObject({ status: 415, code: 'unsupported-media-type' });
    const broken = await app.inject({
      method: 'POST',
      url: '/things',
      headers: { 'content-type': 'application/json' },
      payload: '{"a":',
    });
    expect(broken.statusCode).toBe(400);
    expect(broken.json()).toMatchObject({ status: 400, code: 'invalid-json' });
    const large = await app.inject({
      method: 'POST',
      url: '/things',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ a: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(large.statusCode).toBe(413);
    expect(large.json()).toMatchObject({ status: 413, code: 'payload-too-large' });
    await app.close();
  });
});
