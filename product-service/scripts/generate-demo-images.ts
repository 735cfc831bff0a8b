/**
 * Writes one SVG per demo product to frontend/public/demo/<slug>.svg, the files the seeded
 * products point to (`/demo/<slug>.svg`). Run: npm run generate:demo-images -w product-service
 */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_PRODUCTS } from '../src/demo/catalog.ts';
import { renderDemoImage } from '../src/demo/svg.ts';

const target = fileURLToPath(new URL('../../frontend/public/demo/', import.meta.url));

async function main(): Promise<void> {
  await mkdir(target, { recursive: true });
  const wanted = new Set(DEMO_PRODUCTS.map((product) => `${product.slug}.svg`));
  // Images of products no longer in the demo catalog would be dead weight in the bundle.
  for (const file of await readdir(target)) {
    if (file.endsWith('.svg') && !wanted.has(file)) await rm(join(target, file));
  }
  for (const product of DEMO_PRODUCTS) {
    await writeFile(join(target, `${product.slug}.svg`), renderDemoImage(product));
  }
  process.stdout.write(`wrote ${DEMO_PRODUCTS.length} images to ${target}\n`);
}

await main();
