import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, type Page } from 'playwright-core';
import { DEMO_PASSWORD, DEMO_SELLERS } from '@marketplace/contracts';
import { launchChromium } from './chromium.ts';
import { startStack, type Stack } from './stack.ts';

// The founding scenario as a person does it: in Chromium, on the SPA the gateway serves.
describe('the SPA in a real browser', () => {
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

  async function login(page: Page, email: string, password: string): Promise<void> {
    await page.goto(`${stack.gatewayUrl}/login`);
    await page.getByTestId('login-email').fill(email);
    await page.getByTestId('login-password').fill(password);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('logout-button').waitFor();
  }

  it('when a buyer registers, orders and the seller confirms, then the buyer sees it all', async () => {
    const buyer = await (await browser.newContext()).newPage();
    const email = `browser-${Date.now()}@example.test`;

    await buyer.goto(`${stack.gatewayUrl}/register`);
    await buyer.getByTestId('register-name').fill('Grace Browser');
    await buyer.getByTestId('register-email').fill(email);
    await buyer.getByTestId('register-password').fill('a long enough password');
    await buyer.getByTestId('register-submit').click();
    await buyer.getByTestId('logout-button').waitFor();

    // browse and search: the seeded catalog renders with its images
    await buyer.goto(`${stack.gatewayUrl}/`);
    await buyer.getByTestId('product-card').first().waitFor();
    expect(await buyer.getByTestId('product-card').count()).toBeGreaterThan(10);
    const firstImage = buyer.locator('[data-testid="product-card"] img').first();
    // `unknown`, not HTMLImageElement: tests are type-checked without the DOM library.
    await expect
      .poll(() =>
        firstImage.evaluate((img: unknown) => (img as { naturalWidth: number }).naturalWidth),
      )
      .toBeGreaterThan(0);

    await buyer.goto(`${stack.gatewayUrl}/?sellerId=${DEMO_SELLERS[0].id}`);
    const card = buyer.getByTestId('product-card').first();
    await card.waitFor();
    const title = (await card.getByTestId('product-title').textContent())?.trim() ?? '';
    const word = title.split(/\s+/).find((w) => w.length >= 4) ?? title;
    await buyer.getByTestId('search-input').fill(word);
    await buyer.getByTestId('search-submit').click();
    await buyer.getByTestId('product-title').filter({ hasText: title }).first().waitFor();
    await buyer.getByTestId('product-title').filter({ hasText: title }).first().click();

    // order it, through the cart
    await buyer.getByTestId('product-detail').waitFor();
    await buyer.getByTestId('add-to-cart').click();
    await buyer.getByTestId('nav-cart').click();
    await buyer.getByTestId('go-to-checkout').click();
    await buyer.getByTestId('address-name').fill('Grace Browser');
    await buyer.getByTestId('address-line1').fill('1 Main St');
    await buyer.getByTestId('address-city').fill('Springfield');
    await buyer.getByTestId('address-postal-code').fill('12345');
    await buyer.getByTestId('address-country').fill('US');
    await buyer.getByTestId('place-order').click();
    await buyer.getByTestId('checkout-done').waitFor();
    await buyer.getByTestId('placed-order').click();
    await buyer.getByTestId('order-detail').waitFor();
    const orderId = await buyer.getByTestId('order-detail').getAttribute('data-order-id');
    expect(orderId).toBeTruthy();
    expect(await buyer.getByTestId('order-status').getAttribute('data-status')).toBe('created');

    await buyer.getByTestId('nav-orders').click();
    await buyer.locator(`[data-testid="order-row"][data-order-id="${orderId}"]`).waitFor();

    // the seller confirms in their own browser
    const seller = await (await browser.newContext()).newPage();
    await login(seller, DEMO_SELLERS[0].email, DEMO_PASSWORD);
    await seller.goto(`${stack.gatewayUrl}/seller/orders`);
    const row = seller.locator(`[data-testid="order-row"][data-order-id="${orderId}"]`);
    await row.getByTestId('status-action-confirmed').click();
    await expect
      .poll(() => row.getByTestId('order-status').getAttribute('data-status'))
      .toBe('confirmed');

    // the buyer is told, live
    await buyer.getByTestId('nav-notifications').click();
    const told = buyer.locator('[data-testid="notification-item"][data-type="order.confirmed"]');
    await told.first().waitFor({ timeout: 20_000 });
    expect(
      await buyer.locator('[data-testid="notification-item"][data-type="order.placed"]').count(),
    ).toBe(1);
  });

  it('when a user logs in, then no token is in storage, reloads and other tabs keep the session, and a logout ends it in every tab', async () => {
    const context = await browser.newContext();
    const first = await context.newPage();
    await first.goto(`${stack.gatewayUrl}/register`);
    await first.getByTestId('register-name').fill('Tab Browser');
    await first.getByTestId('register-email').fill(`tabs-${Date.now()}@example.test`);
    await first.getByTestId('register-password').fill('a long enough password');
    await first.getByTestId('register-submit').click();
    await first.getByTestId('logout-button').waitFor();

    // Chromium keeps the Secure cookie on http://127.0.0.1: a loopback address is a secure context.
    const [cookie] = (await context.cookies()).filter((c) => c.name === 'mp_refresh');
    expect(cookie).toMatchObject({
      httpOnly: true,
      secure: true,
      sameSite: 'Strict',
      path: '/api/auth',
    });
    // A string, not a function: tests are type-checked without the DOM library.
    const stored = String(
      await first.evaluate('JSON.stringify([{ ...localStorage }, { ...sessionStorage }])'),
    );
    expect(stored).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
    expect(stored).not.toContain(cookie?.value ?? 'no cookie');
    expect(await first.evaluate('document.cookie')).not.toContain('mp_refresh');

    await first.goto(`${stack.gatewayUrl}/orders`);
    await first.reload();
    await first.getByTestId('logout-button').waitFor();
    expect(new URL(first.url()).pathname).toBe('/orders');

    const second = await context.newPage();
    await second.goto(`${stack.gatewayUrl}/orders`);
    await second.getByTestId('logout-button').waitFor();
    expect(new URL(second.url()).pathname).toBe('/orders');
    // Both restore at once: the refreshes take turns, so neither replays a spent token.
    await Promise.all([first.reload(), second.reload()]);
    await first.getByTestId('logout-button').waitFor();
    await second.getByTestId('logout-button').waitFor();
    await second.reload();
    await second.getByTestId('logout-button').waitFor();

    await first.getByTestId('logout-button').click();
    await first.getByTestId('nav-login').waitFor();
    await second.getByTestId('nav-login').waitFor();
    // The other tab hears of the logout, shows the login link, then leaves its private page: the
    // navigation may land just after the link appears (seen under a loaded machine).
    await second.waitForURL((url) => url.pathname === '/', { timeout: 5_000 });
    await second.reload();
    await second.getByTestId('nav-login').waitFor();
    expect(await second.getByTestId('logout-button').count()).toBe(0);
    await context.close();
  });

  it('when the password is wrong, then the form says so and nobody is logged in', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${stack.gatewayUrl}/login`);
    await page.getByTestId('login-email').fill(DEMO_SELLERS[1].email);
    await page.getByTestId('login-password').fill('not the password');
    await page.getByTestId('login-submit').click();
    await page.getByTestId('login-error').waitFor();
    expect(await page.getByTestId('logout-button').count()).toBe(0);
  });
});
