/**
 * Writes each demo product's picture to frontend/public/demo/: `<slug>.svg`, drawn by
 * renderDemoImage, and `<slug>.webp`, that SVG rendered by Chromium, which the seeded products
 * point to (a browser decodes WebP off the page's main thread; see demoImagePath).
 * Run: npm run generate:demo-images -w product-service (needs Chromium, CHROMIUM_PATH).
 */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { DEMO_PRODUCTS } from '../src/demo/catalog.ts';
import { renderDemoImage } from '../src/demo/svg.ts';

const target = fileURLToPath(new URL('../../frontend/public/demo/', import.meta.url));
const WIDTH = 400;
const HEIGHT = 300;
const WEBP_QUALITY = 0.85;

/** Runs in the page (a string: this script is type-checked without the DOM's types). */
const ENCODE_IN_PAGE = `async ({ svg, width, height, quality }) => {
  const image = new Image();
  image.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(svg);
  await image.decode();
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  canvas.getContext('2d').drawImage(image, 0, 0, width, height);
  return canvas.toDataURL('image/webp', quality);
}`;

async function main(): Promise<void> {
  await mkdir(target, { recursive: true });
  const wanted = new Set(DEMO_PRODUCTS.flatMap((p) => [`${p.slug}.svg`, `${p.slug}.webp`]));
  // Pictures of products no longer in the demo catalog would be dead weight in the bundle.
  for (const file of await readdir(target)) {
    if (/\.(svg|webp)$/.test(file) && !wanted.has(file)) await rm(join(target, file));
  }
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  });
  try {
    const page = await browser.newPage();
    for (const product of DEMO_PRODUCTS) {
      const svg = renderDemoImage(product);
      await writeFile(join(target, `${product.slug}.svg`), svg);
      const dataUrl: unknown = await page.evaluate(
        `(${ENCODE_IN_PAGE})(${JSON.stringify({ svg, width: WIDTH, height: HEIGHT, quality: WEBP_QUALITY })})`,
      );
      if (typeof dataUrl !== 'string' || !dataUrl.startsWith('data:image/webp;base64,')) {
        throw new Error(`Chromium did not encode ${product.slug} as WebP`);
      }
      const webp = Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64');
      await writeFile(join(target, `${product.slug}.webp`), webp);
    }
  } finally {
    await browser.close();
  }
  process.stdout.write(`wrote ${DEMO_PRODUCTS.length} pictures (SVG and WebP) to ${target}\n`);
}

await main();
