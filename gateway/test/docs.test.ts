import { existsSync } from 'node:fs';
import Fastify, { type FastifyInstance } from 'fastify';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTokens, type TestTokens } from '@marketplace/testing';
import type { ServiceApp } from '@marketplace/service-kit';
import { startGateway, startUpstreams, type Upstreams } from './upstreams.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** product-service as far as the docs page sees it: a document with one public listing. */
async function startCatalog(): Promise<{ app: FastifyInstance; url: string }> {
  const app = Fastify();
  app.get('/openapi.json', async () => ({
    openapi: '3.1.0',
    paths: {
      '/api/products': {
        get: {
          operationId: 'listProducts',
          summary: 'Browse the catalog',
          tags: ['products'],
          security: [],
          responses: { 200: { description: 'OK', content: { 'application/json': {} } } },
        },
      },
    },
  }));
  app.get('/api/products', async () => ({ items: [{ title: 'Desk lamp' }], nextCursor: null }));
  return { app, url: await app.listen({ port: 0, host: '127.0.0.1' }) };
}

async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is needed at ${CHROMIUM}: apt-get install chromium`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

// Added before any of the page's scripts run; the init script itself is not subject to the CSP.
const RECORD_VIOLATIONS = `
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (event) => {
    window.__cspViolations.push(event.violatedDirective + ' ' + event.blockedURI);
  });
`;

/** Every Content-Security-Policy violation the page reports, by event and on the console. */
async function watchViolations(page: Page): Promise<() => Promise<string[]>> {
  const console: string[] = [];
  page.on('console', (message) => {
    if (/content security policy/i.test(message.text())) console.push(message.text());
  });
  await page.addInitScript(RECORD_VIOLATIONS);
  return async () => [
    ...console,
    ...(await page.evaluate(
      () => (globalThis as { __cspViolations?: string[] }).__cspViolations ?? [],
    )),
  ];
}

describe('gateway: the API docs page', () => {
  let upstreams: Upstreams;
  let catalog: Awaited<ReturnType<typeof startCatalog>>;
  let tokens: TestTokens;
  let app: ServiceApp;
  let base: string;

  beforeAll(async () => {
    upstreams = await startUpstreams();
    catalog = await startCatalog();
    tokens = await createTestTokens();
    ({ app } = await startGateway(
      { ...upstreams, product: { ...upstreams.product, url: catalog.url } },
      tokens.verifier,
    ));
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  });

  afterAll(async () => {
    await app.close();
    await catalog.app.close();
    await upstreams.close();
  });

  it('when /api/docs is asked for, then it is an HTML page loading Swagger UI from files', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/docs' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    const scripts = [...response.body.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.map((script) => script[1])).toEqual([
      ' src="/api/docs/swagger-ui-bundle.js"',
      ' src="/api/docs/swagger-initializer.js"',
    ]);
    expect(scripts.every((script) => script[2] === '')).toBe(true);
    const csp = String(response.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe');
    for (const file of ['swagger-ui-bundle.js', 'swagger-initializer.js', 'swagger-ui.css']) {
      const asset = await app.inject({ method: 'GET', url: `/api/docs/${file}` });
      expect(asset.statusCode, file).toBe(200);
      expect(asset.headers['content-type'], file).toMatch(/javascript|css/);
    }
  });

  it.each(['/api/docs/index.html', '/api/docs/package.json', '/api/docs/swagger-initializer'])(
    'when %s (in swagger-ui-dist or not) is asked for, then 404: only the page’s files are served',
    async (url) => {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode).toBe(404);
      expect(response.json<{ code: string }>().code).toBe('not-found');
    },
  );

  it('when /api/docs/ is asked for, then it redirects to /api/docs', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/docs/' });
    expect(response.statusCode).toBe(301);
    expect(response.headers.location).toBe('/api/docs');
  });

  it('when asked for again and again with a bad token, then the docs answer: public, unlimited', async () => {
    // So low that the docs would be refused at once if the /api rate limit applied to them.
    const limited = await startGateway(upstreams, tokens.verifier, { RATE_LIMIT_PER_MINUTE: '1' });
    try {
      for (const url of [
        '/api/docs',
        '/api/docs/openapi.json',
        '/api/docs',
        '/api/docs/openapi.json',
      ]) {
        const response = await limited.app.inject({
          method: 'GET',
          url,
          headers: { authorization: 'Bearer not-a-token' },
        });
        expect(response.statusCode, url).toBe(200);
      }
      // The /api routes do count: the limit of 1 a minute is spent after one.
      await limited.app.inject({ method: 'GET', url: '/api/categories' });
      const second = await limited.app.inject({ method: 'GET', url: '/api/categories' });
      expect(second.statusCode).toBe(429);
    } finally {
      await limited.app.close();
    }
  });

  it('when opened in Chromium, then Swagger UI renders under the CSP and "Try it out" calls the API', async () => {
    const browser = await launch();
    try {
      const page = await browser.newPage();
      page.setDefaultTimeout(10_000);
      const violations = await watchViolations(page);
      await page.goto(`${base}/api/docs`);
      expect(await violations()).toEqual([]);
      await expect
        .poll(() => page.locator('.swagger-ui .info .title').textContent(), { timeout: 10_000 })
        .toContain('Marketplace API');
      await page.getByText('Browse the catalog').click();
      await page.getByRole('button', { name: 'Try it out' }).click();
      await page.getByRole('button', { name: 'Execute' }).click();
      const status = page.locator('.live-responses-table .response .response-col_status');
      await expect.poll(() => status.first().textContent(), { timeout: 10_000 }).toContain('200');
      expect(await page.locator('.live-responses-table').textContent()).toContain('Desk lamp');
      expect(await violations()).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 30_000);
});
