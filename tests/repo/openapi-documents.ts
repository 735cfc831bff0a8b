import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CategorySchema } from '@marketplace/contracts';
import { createServiceApp, type ServiceApp } from '@marketplace/service-kit';
import { mergeOpenApi, type OpenApiDocument } from '../../gateway/src/docs/openapi-merge.ts';
import { registerDeadLetterRoutes } from '../../notification-service/src/routes/dead-letter.routes.ts';
import { registerNotificationRoutes } from '../../notification-service/src/routes/notification.routes.ts';
import { registerStreamRoutes } from '../../notification-service/src/routes/stream.routes.ts';
import { registerOrderRoutes } from '../../order-service/src/routes/order.routes.ts';
import { registerCategoryRoutes } from '../../product-service/src/routes/category.routes.ts';
import { registerInternalRoutes } from '../../product-service/src/routes/internal.routes.ts';
import { registerProductRoutes } from '../../product-service/src/routes/product.routes.ts';
import { registerAuthRoutes } from '../../user-service/src/routes/auth.routes.ts';
import { SessionTransport } from '../../user-service/src/routes/session-transport.ts';
import { registerUserRoutes } from '../../user-service/src/routes/user.routes.ts';
import { ROOT } from './repo.ts';

/**
 * A dependency that documenting never uses: routes only call their services from their handlers,
 * and no handler runs here. Touching it fails loudly, naming what was touched.
 */
function unused<T extends object>(what: string): T {
  return new Proxy({} as T, {
    get(_target, property) {
      throw new Error(`${what}.${String(property)} was used while only documenting the routes`);
    },
  });
}

interface ServiceRoutes {
  service: 'user' | 'product' | 'order' | 'notification';
  /** As the service's app.ts names itself to `createServiceApp`. */
  name: string;
  /** The `register…Routes` functions this wiring calls, checked against the service's app.ts. */
  registers: string[];
  register: (app: ServiceApp) => void;
}

/**
 * Each service's routes, wired as its app.ts wires them but with nothing behind them: the unit
 * project has no database or broker, and the document comes from the routes' schemas alone.
 */
export const SERVICE_ROUTES: ServiceRoutes[] = [
  {
    service: 'user',
    name: 'user-service',
    registers: ['registerAuthRoutes', 'registerUserRoutes'],
    register: (app) => {
      const verifier = unused<Parameters<typeof registerUserRoutes>[1]>('verifier');
      const transport = new SessionTransport({ refreshTtlDays: 30, allowedOrigins: [] });
      const auth = unused<Parameters<typeof registerUserRoutes>[3]>('auth');
      registerAuthRoutes(app, { auth, keys: unused('keys'), transport, verifier });
      registerUserRoutes(app, verifier, unused('users'), auth, transport);
    },
  },
  {
    service: 'product',
    name: 'product-service',
    registers: ['registerProductRoutes', 'registerCategoryRoutes', 'registerInternalRoutes'],
    register: (app) => {
      app.addSchema(CategorySchema);
      const verifier = unused<Parameters<typeof registerProductRoutes>[1]['verifier']>('verifier');
      registerProductRoutes(app, {
        catalog: unused('catalog'),
        listings: unused('listings'),
        products: unused('products'),
        verifier,
      });
      registerCategoryRoutes(app, {
        catalog: unused('catalog'),
        categories: unused('categories'),
        verifier,
      });
      registerInternalRoutes(app, { stock: unused('stock'), internalToken: 'documenting' });
    },
  },
  {
    service: 'order',
    name: 'order-service',
    registers: ['registerOrderRoutes'],
    register: (app) => {
      registerOrderRoutes(app, {
        verifier: unused('verifier'),
        checkout: unused('checkout'),
        orders: unused('orders'),
      });
    },
  },
  {
    service: 'notification',
    name: 'notification-service',
    registers: ['registerNotificationRoutes', 'registerDeadLetterRoutes', 'registerStreamRoutes'],
    register: (app) => {
      const verifier = unused<Parameters<typeof registerStreamRoutes>[1]>('verifier');
      registerNotificationRoutes(app, verifier, unused('notifications'));
      registerDeadLetterRoutes(app, verifier, unused('desk'));
      registerStreamRoutes(app, verifier, unused('hub'), {
        isBlocked: () => Promise.reject(new Error('not while documenting')),
        feed: unused('feed'),
      });
    },
  },
];

/** The `register…Routes(` calls in a service's app.ts, so a new routes file cannot be missed. */
export function routeRegistrations(name: string): string[] {
  const source = readFileSync(join(ROOT, name, 'src', 'app.ts'), 'utf8');
  return [...source.matchAll(/\b(register\w+Routes)\(/g)].map((match) => match[1] ?? '');
}

/** One service's `/openapi.json`, as the kit's docs plugin makes it from the routes' schemas. */
export async function serviceDocument(routes: ServiceRoutes): Promise<OpenApiDocument> {
  const app = await createServiceApp({ name: routes.name, logger: false });
  try {
    routes.register(app);
    const response = await app.inject({ method: 'GET', url: '/openapi.json' });
    if (response.statusCode !== 200) throw new Error(`${routes.name}: ${response.body}`);
    return response.json<OpenApiDocument>();
  } finally {
    await app.close();
  }
}

/** The public document as the gateway serves it at `/api/docs/openapi.json`. */
export async function mergedDocument(): Promise<OpenApiDocument> {
  const parts = await Promise.all(
    SERVICE_ROUTES.map(async (routes) => ({
      service: routes.service,
      document: await serviceDocument(routes),
    })),
  );
  return mergeOpenApi(parts, '1.0.0');
}
