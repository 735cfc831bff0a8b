import { CategoryTreeSchema } from '@marketplace/contracts';
import type { ServiceApp } from '@marketplace/service-kit';
import type { CatalogService } from '../domain/catalog.service.ts';

export function registerCategoryRoutes(app: ServiceApp, catalog: CatalogService): void {
  app.get(
    '/api/categories',
    {
      schema: {
        tags: ['categories'],
        summary: 'The category tree',
        response: { 200: CategoryTreeSchema },
      },
    },
    async () => catalog.categoryTree(),
  );
}
