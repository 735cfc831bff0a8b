import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { DEMO_ADMIN, DEMO_PASSWORD, DEMO_SELLERS } from '@marketplace/contracts';
import { launchChromium } from './chromium.ts';
import { startStack, type Stack } from './stack.ts';

/** Where the run leaves its screenshots of every main page (git-ignored; look at them). */
const SHOTS = fileURLToPath(new URL('../../.run/screenshots', import.meta.url));
const WIDTHS = [1280, 390] as const;

interface ProductRef {
  id: string;
  title: string;
  sellerId: string;
}

// The complete web app as its people use it, in Chromium, on the SPA the gateway serves.
describe('the web app in a real browser', () => {
  let stack: Stack;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    stack = await startStack();
    browser = await launchChromium();
    mkdirSync(SHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  async function newPage(width = 1280): Promise<Page> {
    const context = await browser.newContext({ viewport: { width, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    // Confirmations (archive, block, cancel) are accepted, as the person clicking means them.
    page.on('dialog', (dialog) => void dialog.accept());
    return page;
  }

  async function login(page: Page, email: string, password = DEMO_PASSWORD): Promise<void> {
    await page.goto(`${stack.gatewayUrl}/login`);
    await page.getByTestId('login-email').fill(email);
    await page.getByTestId('login-password').fill(password);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('nav-notifications').waitFor({ state: 'attached' });
  }

  async function register(page: Page, name: string): Promise<string> {
    const email = `${name.toLowerCase().replace(/\W+/g, '-')}-${Date.now()}@example.test`;
    await page.goto(`${stack.gatewayUrl}/register`);
    await page.getByTestId('register-name').fill(name);
    await page.getByTestId('register-email').fill(email);
    await page.getByTestId('register-password').fill('a long enough password');
    await page.getByTestId('register-submit').click();
    await page.getByTestId('nav-notifications').waitFor({ state: 'attached' });
    return email;
  }

  async function firstProductOf(sellerId: string): Promise<ProductRef> {
    const response = await fetch(
      `${stack.gatewayUrl}/api/products?sellerId=${sellerId}&inStock=true&limit=1`,
    );
    const page = (await response.json()) as { items: ProductRef[] };
    return page.items[0]!;
  }

  /** A word of the title that a search finds it by. */
  const wordOf = (title: string) => title.split(/\s+/).find((w) => w.length >= 5) ?? title;

  async function unread(page: Page): Promise<number> {
    const badge = page.getByTestId('notifications-badge');
    return (await badge.count()) === 0 ? 0 : Number((await badge.textContent())?.trim());
  }

  it('when a buyer searches, filters, orders from two sellers at once and a seller confirms, then the buyer sees two orders and the bell rings without a reload', async () => {
    const buyer = await newPage();
    await register(buyer, 'Carla Cart');

    // search, then narrow by a facet: the URL keeps both
    const northwind = await firstProductOf(DEMO_SELLERS[0].id);
    await buyer.getByTestId('search-input').fill(wordOf(northwind.title));
    await buyer.getByTestId('search-submit').click();
    await buyer.getByTestId('product-card').first().waitFor();
    const facet = buyer.getByTestId('facet-price-band').and(buyer.locator(':enabled')).first();
    await facet.click();
    await buyer.waitForURL((url) => url.searchParams.has('minPrice'));
    expect(new URL(buyer.url()).searchParams.get('q')).toBe(wordOf(northwind.title));
    await expect.poll(() => facet.getAttribute('aria-pressed')).toBe('true');
    await buyer.getByTestId('product-link').first().click();
    await buyer.getByTestId('add-to-cart').click();
    await buyer.getByTestId('in-cart').waitFor();

    // a second seller's product
    const bluebird = await firstProductOf(DEMO_SELLERS[1].id);
    await buyer.getByTestId('search-input').fill(wordOf(bluebird.title));
    await buyer.getByTestId('search-submit').click();
    await buyer.getByTestId('product-title').filter({ hasText: bluebird.title }).first().click();
    await buyer.getByTestId('buy-quantity-increase').click();
    await buyer.getByTestId('add-to-cart').click();
    await buyer.getByTestId('in-cart').waitFor();

    // the cart groups them by seller; one checkout places an order with each
    await buyer.getByTestId('nav-cart').click();
    await expect.poll(() => buyer.getByTestId('cart-group').count()).toBe(2);
    expect(await buyer.getByTestId('cart-count').textContent()).toContain('3');
    await buyer.getByTestId('go-to-checkout').click();
    await buyer.getByTestId('address-name').fill('Carla Cart');
    await buyer.getByTestId('address-line1').fill('1 Main St');
    await buyer.getByTestId('address-city').fill('Springfield');
    await buyer.getByTestId('address-postal-code').fill('12345');
    await buyer.getByTestId('address-country').fill('US');
    // a double click is one checkout
    await buyer.getByTestId('place-order').dblclick();
    await buyer.getByTestId('checkout-done').waitFor();
    const placed = buyer.getByTestId('placed-order');
    expect(await placed.count()).toBe(2);
    const orderIds = await placed.evaluateAll((links) =>
      links.map((a) => (a as unknown as { dataset: { orderId: string } }).dataset.orderId),
    );
    expect(await buyer.getByTestId('cart-count').count()).toBe(0);

    await buyer.getByTestId('nav-orders').click();
    for (const id of orderIds) {
      await buyer.locator(`[data-testid="order-row"][data-order-id="${id}"]`).waitFor();
    }
    expect(await buyer.getByTestId('order-row').count()).toBe(2);
    // The order notifications arrive; then the seller acts while the buyer's page stays as it is.
    await expect.poll(() => unread(buyer), { timeout: 20_000 }).toBeGreaterThanOrEqual(3);
    const before = await unread(buyer);

    const seller = await newPage();
    await login(seller, DEMO_SELLERS[0].email);
    await seller.getByTestId('nav-seller').click();
    await seller.goto(`${stack.gatewayUrl}/seller/orders`);
    // Of the two orders, the one that is this seller's is in their list.
    const mine = seller.locator(
      orderIds.map((id) => `[data-testid="order-row"][data-order-id="${id}"]`).join(', '),
    );
    await mine.first().waitFor();
    expect(await mine.count()).toBe(1);
    const confirmed = mine.first();
    await confirmed.getByTestId('status-action-confirmed').click();
    await expect
      .poll(() => confirmed.getByTestId('order-status').getAttribute('data-status'))
      .toBe('confirmed');

    await expect.poll(() => unread(buyer), { timeout: 20_000 }).toBe(before + 1);
  });

  it('when a seller lists a product through the form, then a search finds it', async () => {
    const seller = await newPage();
    await login(seller, DEMO_SELLERS[2].email);
    await seller.goto(`${stack.gatewayUrl}/seller/products/new`);
    const title = `Quokka Trail Lantern ${Date.now().toString(36)}`;
    await seller.getByTestId('product-title-input').fill(title);
    await seller.getByTestId('product-description-input').fill('A bright lantern for the trail.');
    await seller.getByTestId('product-price-input').fill('24.50');
    await seller.getByTestId('product-currency-select').selectOption('EUR');
    const category = seller.getByTestId('product-category-select');
    const firstCategory = await category
      .locator('option:not([value=""])')
      .first()
      .getAttribute('value');
    await category.selectOption(firstCategory);
    await seller.getByTestId('product-stock-input').fill('7');
    await seller.getByTestId('product-image-input').first().fill('/demo/aurora-anc-headphones.svg');
    await seller.getByTestId('product-add-attr').click();
    await seller.getByTestId('product-attr-key').last().fill('colour');
    await seller.getByTestId('product-attr-value').last().fill('amber');
    await seller.getByTestId('product-save').click();
    await seller.waitForURL((url) => url.pathname === '/seller/products');
    await seller.getByTestId('seller-product-row').filter({ hasText: title }).waitFor();

    await seller.getByTestId('search-input').fill(title.split(' ').at(-1)!);
    await seller.getByTestId('search-submit').click();
    await seller.getByTestId('product-title').filter({ hasText: title }).waitFor();
    await seller.getByTestId('product-title').filter({ hasText: title }).click();
    await seller.getByTestId('product-attributes').filter({ hasText: 'amber' }).waitFor();
  });

  it('when an admin blocks a user, then that user is logged out', async () => {
    const user = await newPage();
    const email = await register(user, 'Bruno Blocked');
    await user.goto(`${stack.gatewayUrl}/orders`);
    await user.getByTestId('nav-notifications').waitFor({ state: 'attached' });

    const admin = await newPage();
    await login(admin, DEMO_ADMIN.email);
    await admin.goto(`${stack.gatewayUrl}/admin/users`);
    await admin.getByTestId('admin-user-search').fill(email);
    await admin.getByTestId('admin-user-search').press('Enter');
    const row = admin.getByTestId('admin-user-row').filter({ hasText: email });
    await row.waitFor();
    await row.getByTestId('admin-user-block').click();
    await admin.getByTestId('admin-confirm-ok').click();
    await expect.poll(() => row.getAttribute('data-blocked')).toBe('true');

    // Their open page notices at once (the live stream ends, the refresh is refused).
    await user.waitForURL((url) => url.pathname === '/login', { timeout: 20_000 });
    await user.getByTestId('nav-login').waitFor({ state: 'attached' });
    // And they cannot come back in.
    await user.getByTestId('login-email').fill(email);
    await user.getByTestId('login-password').fill('a long enough password');
    await user.getByTestId('login-submit').click();
    await user.getByTestId('login-error').waitFor();
  });

  it('when the language is switched to Russian, then the app speaks Russian and still does after a reload, and a signed-in choice follows the person', async () => {
    const page = await newPage();
    await page.goto(`${stack.gatewayUrl}/`);
    await page.getByTestId('product-card').first().waitFor();
    await page.getByTestId('language-switch').selectOption('ru');
    await expect.poll(() => page.getByTestId('search-submit').textContent()).toContain('Найти');
    expect(await page.locator('html').getAttribute('lang')).toBe('ru');
    await page.reload();
    await page.getByTestId('product-card').first().waitFor();
    expect(await page.getByTestId('search-submit').textContent()).toContain('Найти');
    expect(await page.locator('html').getAttribute('lang')).toBe('ru');
    // Prices in Russian: the currency after the number.
    expect(await page.getByTestId('product-price').first().textContent()).toMatch(/\d\s?€/);

    // Signed in, the switch goes to the profile: another browser signing in gets Russian too.
    const email = await register(page, 'Rita Russian');
    await page.getByTestId('language-switch').selectOption('en');
    await page.getByTestId('language-switch').selectOption('ru');
    const elsewhere = await newPage();
    await login(elsewhere, email, 'a long enough password');
    await expect
      .poll(() => elsewhere.locator('html').getAttribute('lang'), { timeout: 10_000 })
      .toBe('ru');
  });

  it('when every main page is opened at 1280 and 390 px, then none scrolls sideways, and each is photographed', async () => {
    const product = await firstProductOf(DEMO_SELLERS[0].id);
    // A buyer with an order, placed through the API, so the order pages have something to show.
    const buyerEmail = `shots-${Date.now()}@example.test`;
    const session = (await (
      await fetch(`${stack.gatewayUrl}/api/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          email: buyerEmail,
          password: 'a long enough password',
          name: 'Shot Buyer',
        }),
      })
    ).json()) as { accessToken: string };
    const checkout = (await (
      await fetch(`${stack.gatewayUrl}/api/orders`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${session.accessToken}`,
          'idempotency-key': `shots-${Date.now()}`,
        },
        body: JSON.stringify({
          items: [{ productId: product.id, quantity: 1 }],
          shippingAddress: {
            name: 'Shot Buyer',
            line1: '1 Main St',
            city: 'Springfield',
            postalCode: '12345',
            country: 'US',
          },
        }),
      })
    ).json()) as { orders: { id: string }[] };
    const publicPages = [
      ['catalog', '/'],
      ['search', `/?q=${encodeURIComponent(wordOf(product.title))}`],
      ['product', `/products/${product.id}`],
      ['seller-page', `/sellers/${product.sellerId}`],
      ['login', '/login'],
      ['register', '/register'],
      ['not-found', '/no-such-page'],
    ] as const;
    const as = {
      buyer: ['cart', 'checkout', 'orders', 'order', 'notifications', 'account'],
      seller: ['seller-dashboard', 'seller-products', 'seller-product-new', 'seller-orders'],
      admin: ['admin-users', 'admin-categories', 'admin-dead-letters'],
    } as const;
    const paths: Record<string, string> = {
      order: `/orders/${checkout.orders[0]!.id}`,
      cart: '/cart',
      checkout: '/checkout',
      orders: '/orders',
      notifications: '/notifications',
      account: '/account',
      'seller-dashboard': '/seller',
      'seller-products': '/seller/products',
      'seller-product-new': '/seller/products/new',
      'seller-orders': '/seller/orders',
      'admin-users': '/admin/users',
      'admin-categories': '/admin/categories',
      'admin-dead-letters': '/admin/dead-letters',
    };
    const wide: string[] = [];

    async function shoot(page: Page, name: string, path: string, width: number): Promise<void> {
      await page.goto(`${stack.gatewayUrl}${path}`);
      // Not 'networkidle': a signed-in page keeps its live stream open.
      await page.locator('main h1').first().waitFor();
      await page.locator('.loading').first().waitFor({ state: 'detached' });
      await page.waitForTimeout(300);
      const scroll = Number(await page.evaluate('document.documentElement.scrollWidth'));
      if (scroll > width) wide.push(`${name}@${width}: ${scroll}px`);
      await page.screenshot({ path: join(SHOTS, `${name}-${width}.png`), fullPage: true });
    }

    for (const width of WIDTHS) {
      const guest = await newPage(width);
      for (const [name, path] of publicPages) await shoot(guest, name, path, width);

      const buyer = await newPage(width);
      await login(buyer, buyerEmail, 'a long enough password');
      await buyer.goto(`${stack.gatewayUrl}/products/${product.id}`);
      await buyer.getByTestId('add-to-cart').click();
      for (const name of as.buyer) await shoot(buyer, name, paths[name]!, width);
      const seller = await newPage(width);
      await login(seller, DEMO_SELLERS[0].email);
      for (const name of as.seller) await shoot(seller, name, paths[name]!, width);
      const admin = await newPage(width);
      await login(admin, DEMO_ADMIN.email);
      for (const name of as.admin) await shoot(admin, name, paths[name]!, width);
    }
    expect(wide).toEqual([]);
  }, 180_000);
});
