import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import { SPA_CSP } from '../edge/security-headers.ts';

export const DOCS_PATH = '/api/docs';
export const DOCUMENT_PATH = `${DOCS_PATH}/openapi.json`;
const INITIALIZER = 'swagger-initializer.js';

/** The files of swagger-ui-dist the page loads; the rest of the package (its demo page) is not served. */
const ASSETS = new Set([
  '/swagger-ui.css',
  '/swagger-ui.css.map',
  '/index.css',
  '/swagger-ui-bundle.js',
  '/swagger-ui-bundle.js.map',
  '/favicon-32x32.png',
  '/favicon-16x16.png',
]);

/**
 * The SPA's policy (script and style from this origin only, nothing inline), which Swagger UI
 * fits: its configuration is a file of its own and React sets styles through the CSSOM. The
 * `/api/*` default (`default-src 'none'`) would leave the page blank.
 */
const DOCS_CSP = Object.entries(SPA_CSP)
  .map(([name, values]) => `${name} ${values.join(' ')}`)
  .join(';');

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Marketplace API</title>
<link rel="stylesheet" href="${DOCS_PATH}/swagger-ui.css">
<link rel="stylesheet" href="${DOCS_PATH}/index.css">
<link rel="icon" type="image/png" href="${DOCS_PATH}/favicon-32x32.png" sizes="32x32">
<link rel="icon" type="image/png" href="${DOCS_PATH}/favicon-16x16.png" sizes="16x16">
</head>
<body>
<noscript><p>This page needs JavaScript. The API document itself is
<a href="${DOCUMENT_PATH}">${DOCUMENT_PATH}</a>.</p></noscript>
<div id="swagger-ui"></div>
<script src="${DOCS_PATH}/swagger-ui-bundle.js"></script>
<script src="${DOCS_PATH}/${INITIALIZER}"></script>
</body>
</html>
`;

// BaseLayout: no top bar with a field to load another document (connect-src would refuse it).
// The validator badge would fetch an image from swagger.io: off. No token kept in localStorage.
const INITIALIZER_SOURCE = `window.ui = SwaggerUIBundle({
  url: ${JSON.stringify(DOCUMENT_PATH)},
  dom_id: '#swagger-ui',
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
  deepLinking: true,
  filter: true,
  displayRequestDuration: true,
  defaultModelsExpandDepth: 0,
  validatorUrl: null,
  persistAuthorization: false,
});
`;

function swaggerUiDist(): string {
  return dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
}

/**
 * Swagger UI at `/api/docs` over the merged document: the page and its configuration from here,
 * the UI itself from swagger-ui-dist. Public, like the document: registered outside the `/api`
 * plugin, so neither edge authentication nor the rate limit applies.
 */
export async function swaggerUi(app: FastifyInstance): Promise<void> {
  app.addHook('onRequest', async (_request, reply) => {
    reply.header('content-security-policy', DOCS_CSP);
  });
  await app.register(fastifyStatic, {
    root: swaggerUiDist(),
    prefix: `${DOCS_PATH}/`,
    decorateReply: false,
    index: false,
    allowedPath: (path) => ASSETS.has(path),
  });
  app.get(DOCS_PATH, { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(PAGE),
  );
  app.get(`${DOCS_PATH}/`, { schema: { hide: true } }, async (_request, reply) =>
    reply.redirect(DOCS_PATH, 301),
  );
  app.get(`${DOCS_PATH}/${INITIALIZER}`, { schema: { hide: true } }, async (_request, reply) =>
    reply
      .type('text/javascript; charset=utf-8')
      .header('cache-control', 'no-cache')
      .send(INITIALIZER_SOURCE),
  );
}
