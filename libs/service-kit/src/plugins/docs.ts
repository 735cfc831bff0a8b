import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import swagger from '@fastify/swagger';
import { checkKnownOptions, checkName, checkOptionalString } from './options.ts';

export interface DocsOptions {
  /** The document's title: the service's name. */
  title: string;
  version?: string;
  description?: string;
}

const PLUGIN = 'service-kit-docs';

/**
 * The OpenAPI 3.1 document of every route registered after this plugin, from their schemas;
 * served at `/openapi.json` (the gateway merges the services' documents).
 */
const docs: FastifyPluginAsync<DocsOptions> = async (app, options) => {
  const { title, version, description } = checkKnownOptions(PLUGIN, options, [
    'title',
    'version',
    'description',
  ]);
  checkName(PLUGIN, 'title', title);
  checkOptionalString(PLUGIN, 'version', version);
  checkOptionalString(PLUGIN, 'description', description);
  await app.register(swagger, {
    // Shared schemas appear in the document under their $id (Problem, Category), not def-N.
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) =>
        typeof json.$id === 'string' ? json.$id : `def-${i}`,
    },
    openapi: {
      openapi: '3.1.0',
      info: {
        title: options.title,
        version: options.version ?? '0.1.0',
        description: options.description ?? '',
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
    },
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
};

export const docsPlugin = fp(docs, { name: PLUGIN, fastify: '5.x' });
