import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { DEMO_BUYER, DEMO_PASSWORD } from '@marketplace/contracts';
import { launchChromium } from './chromium.ts';
import { startStack, type Stack } from './stack.ts';

const SCREENSHOT = process.env.SECURITY_EDGE_SCREENSHOT ?? '/tmp/security-edge-product.png';

/** A CSP header as directive name → its sources. */
function directives(policy: string | null): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const part of (policy ?? '').split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) result[name] = sources;
  }
  return result;
}

// Recorded in the page before any of its own script runs; Playwright's init scripts are not
// subject to the page's CSP.
const RECORD_VIOLATIONS = `
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (event) => {
    window.__cspViolations.push(event.violatedDirective + ' ' + event.blockedURI);
  });
`;

interface Watched {
  page: Page;
  /** What the page's securitypolicyviolation events reported. */
  violations: () => Promise<string[]>;
  /** Chromium's console lines about the CSP. */
  consoleCsp: string[];
}

async function watchedPage(context: BrowserContext): Promise<Watched> {
  await context.addInitScript(RECORD_VIOLATIONS);
  const page = await context.newPage();
  const consoleCsp: string[] = [];
  page.on('console', (message) => {
    if (/content security policy/i.test(message.text())) consoleCsp.push(message.text());
  });
  const violations = () =>
    page.evaluate(() => (globalThis as { __cspViolations?: string[] }).__cspViolations ?? []);
  return { page, violations, consoleCsp };
}

describe('the edge: security headers, CORS and ops endpoints through the gateway', () => {
  let stack: Stack;
  let browser: Browser;

  beforeAll(async () => {
    stack = await startStack();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('when the SPA shell is fetched, then its CSP allows no inline script and it has none', async () => {
    const response = await fetch(`${stack.gatewayUrl}/`);
    const policy = directives(response.headers.get('content-security-policy'));
    expect(policy['script-src']).toEqual(["'self'"]);
    expect(policy['style-src']).toEqual(["'self'"]);
    expect(policy['frame-ancestors']).toEqual(["'none'"]);
    expect(policy['object-src']).toEqual(["'none'"]);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
    const html = await response.text();
    expect(html.match(/<script\b[^>]*>/g)?.every((tag) => / src=/.test(tag))).toBe(true);
    expect(html).not.toMatch(/\son[a-z]+=|\sstyle=|<style\b/i);
  });

  it('when the demo buyer logs in, browses and opens a product, then no CSP violation', async () => {
    const context = await browser.newContext();
    const { page, violations, consoleCsp } = await watchedPage(context);

    await page.goto(`${stack.gatewayUrl}/login`);
    await page.getByTestId('login-email').fill(DEMO_BUYER.email);
    await page.getByTestId('login-password').fill(DEMO_PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('logout-button').waitFor();

    await page.goto(`${stack.gatewayUrl}/`);
    await page.getByTestId('product-card').first().waitFor();
    const image = page.locator('[data-testid="product-card"] img').first();
    await expect
      .poll(() => image.evaluate((img: unknown) => (img as { naturalWidth: number }).naturalWidth))
      .toBeGreaterThan(0);
    await page.getByTestId('product-link').first().click();
    await page.getByTestId('product-detail-title').waitFor();
    // Let the live stream and lazy chunks settle before reading the record.
    await page.waitForLoadState('networkidle').catch(() => undefined);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    expect(await violations()).toEqual([]);
    expect(consoleCsp).toEqual([]);

    // The record is live: an inline script the page did not ship is refused and seen.
    await page.evaluate(() => {
      const doc = (globalThis as unknown as { document: DocumentLike }).document;
      const script = doc.createElement('script');
      script.textContent = 'globalThis.__injected = true';
      doc.body.appendChild(script);
    });
    await expect.poll(() => violations()).toEqual([expect.stringContaining('script-src')]);
    expect(await page.evaluate(() => (globalThis as { __injected?: boolean }).__injected)).toBe(
      undefined,
    );
    await context.close();
  });

  it('when /metrics or /ready is asked for through the gateway, then 404; /health answers', async () => {
    for (const path of ['/metrics', '/ready']) {
      const response = await fetch(`${stack.gatewayUrl}${path}`);
      expect(response.status).toBe(404);
      expect(await response.text()).not.toMatch(/process_cpu|http_request_duration|jwks/);
    }
    expect((await fetch(`${stack.gatewayUrl}/health`)).status).toBe(200);
  });

  it('when an API answer comes back, then nosniff and a deny-all CSP, and no CORS for strangers', async () => {
    const response = await fetch(`${stack.gatewayUrl}/api/products?limit=1`, {
      headers: { origin: 'https://evil.example.net' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(directives(response.headers.get('content-security-policy'))['default-src']).toEqual([
      "'none'",
    ]);
    expect(
      [...response.headers.keys()].filter((name) => name.startsWith('access-control-')),
    ).toEqual([]);
  });
});

/** The little of the DOM the page script above uses (tests are type-checked without the DOM library). */
interface DocumentLike {
  createElement(tag: string): { textContent: string };
  body: { appendChild(node: unknown): void };
}
