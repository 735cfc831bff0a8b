import type { CheckoutBody, CheckoutResult, Product, User } from '@marketplace/contracts';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type * as Client from '../api/client.ts';

type ClientModule = typeof Client;
import { createMemoryHistory, createRouter } from 'vue-router';

const createOrder = vi.fn<(body: CheckoutBody, key: string) => Promise<CheckoutResult>>();
const getProducts = vi.fn<(ids: readonly string[]) => Promise<(Product | null)[]>>();
const updateMe = vi.fn<(body: unknown) => Promise<User>>();
vi.mock('../api/client.ts', async (original) => ({
  ...(await original<ClientModule>()),
  createOrder: (body: CheckoutBody, key: string) => createOrder(body, key),
  getProducts: (ids: readonly string[]) => getProducts(ids),
  updateMe: (body: unknown) => updateMe(body),
}));

const { ApiError } = await import('../api/client.ts');
const { i18n } = await import('../i18n/index.ts');
const { useAuthStore } = await import('../stores/auth.ts');
const { useCartStore } = await import('../stores/cart.ts');
const { aProduct, anOrder, aUser } = await import('../test/fixtures.ts');
const CheckoutView = (await import('./CheckoutView.vue')).default;

const ADDRESS = {
  name: 'Ana Buyer',
  line1: '1 Main St',
  city: 'Town',
  postalCode: '123',
  country: 'US',
};

function networkError() {
  return new ApiError({
    type: 'about:blank',
    code: 'network-error',
    title: 'Network error',
    status: 0,
  });
}

async function mountCheckout(user: User = aUser({ address: ADDRESS })) {
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/', name: 'catalog', component: { template: '<div />' } },
      { path: '/cart', name: 'cart', component: { template: '<div />' } },
      { path: '/orders', name: 'orders', component: { template: '<div />' } },
      { path: '/orders/:id', name: 'order', component: { template: '<div />' } },
      { path: '/checkout', name: 'checkout', component: CheckoutView },
    ],
  });
  useAuthStore().replace({ user, accessToken: 'token', expiresIn: 900 });
  await router.push('/checkout');
  const wrapper = mount(CheckoutView, { global: { plugins: [router, i18n] } });
  await flushPromises();
  return wrapper;
}

describe('checkout', () => {
  beforeEach(() => {
    localStorage.clear();
    setActivePinia(createPinia());
    createOrder.mockReset();
    getProducts.mockReset();
    updateMe.mockReset();
    const cart = useCartStore();
    cart.add(aProduct({ id: 'a', sellerId: 's1' }), 2);
    cart.add(aProduct({ id: 'b', sellerId: 's2', sellerName: 'Bluebird Books', priceMinor: 250 }));
    getProducts.mockImplementation(async (ids) =>
      ids.map((id) =>
        id === 'a'
          ? aProduct({ id: 'a' })
          : aProduct({ id: 'b', sellerId: 's2', sellerName: 'Bluebird Books', priceMinor: 250 }),
      ),
    );
  });

  it('when the buyer has an address in the profile, then the form starts with it, and the whole cart goes in one checkout', async () => {
    createOrder.mockResolvedValue({
      checkoutId: 'k1',
      orders: [anOrder({ id: 'o1' }), anOrder({ id: 'o2', sellerId: 's2' })],
    });
    const wrapper = await mountCheckout();
    const city = wrapper.get<HTMLInputElement>('[data-testid="address-city"]');
    expect(city.element.value).toBe('Town');
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(createOrder).toHaveBeenCalledTimes(1);
    expect(createOrder.mock.calls[0]![0]).toEqual({
      items: [
        { productId: 'a', quantity: 2 },
        { productId: 'b', quantity: 1 },
      ],
      shippingAddress: ADDRESS,
    });
    expect(wrapper.findAll('[data-testid="placed-order"]')).toHaveLength(2);
    expect(useCartStore().isEmpty).toBe(true);
    // The profile already has this address: nothing to save.
    expect(updateMe).not.toHaveBeenCalled();
  });

  it('when the first try gets no answer, then the retry sends the same idempotency key; a changed address gets a new one', async () => {
    createOrder.mockRejectedValueOnce(networkError()).mockRejectedValueOnce(networkError());
    const wrapper = await mountCheckout();
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(wrapper.find('[data-testid="order-error"]').exists()).toBe(true);
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    const [first, second] = createOrder.mock.calls.map(([, key]) => key);
    expect(second).toBe(first);

    await wrapper.get('[data-testid="address-line1"]').setValue('2 Other St');
    createOrder.mockResolvedValueOnce({ checkoutId: 'k2', orders: [anOrder()] });
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(createOrder.mock.calls[2]![1]).not.toBe(first);
  });

  it('when the button is pressed twice quickly, then one checkout is sent', async () => {
    let answer!: (result: CheckoutResult) => void;
    createOrder.mockReturnValue(new Promise((resolve) => (answer = resolve)));
    const wrapper = await mountCheckout();
    await wrapper.get('form').trigger('submit');
    await wrapper.get('form').trigger('submit');
    answer({ checkoutId: 'k1', orders: [anOrder()] });
    await flushPromises();
    expect(createOrder).toHaveBeenCalledTimes(1);
  });

  it('when the server names a field, then its message is beside that input', async () => {
    createOrder.mockRejectedValue(
      new ApiError({
        type: 'about:blank',
        code: 'validation-error',
        title: 'Invalid',
        status: 400,
        errors: [{ field: 'shippingAddress.postalCode', message: 'must be a postal code' }],
      }),
    );
    const wrapper = await mountCheckout();
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    const input = wrapper.get('[data-testid="address-postal-code"]');
    expect(input.attributes('aria-invalid')).toBe('true');
    const describedBy = input.attributes('aria-describedby')!;
    expect(wrapper.get(`[id="${describedBy.split(' ').at(-1)}"]`).text()).toContain(
      'must be a postal code',
    );
  });

  it('when the stock ran out since the cart was filled, then the line says so and ordering waits', async () => {
    getProducts.mockImplementation(async (ids) =>
      ids.map((id) =>
        id === 'a' ? aProduct({ id: 'a', stock: 1 }) : aProduct({ id: 'b', sellerId: 's2' }),
      ),
    );
    const wrapper = await mountCheckout();
    expect(wrapper.find('[data-testid="checkout-blocked"]').exists()).toBe(true);
    expect(wrapper.get('[data-testid="place-order"]').attributes('disabled')).toBeDefined();
    await wrapper.get('form').trigger('submit');
    expect(createOrder).not.toHaveBeenCalled();
  });

  it('when the profile has no address, then the one used is saved to it', async () => {
    createOrder.mockResolvedValue({ checkoutId: 'k1', orders: [anOrder()] });
    updateMe.mockResolvedValue(aUser({ address: ADDRESS }));
    const wrapper = await mountCheckout(aUser({ address: null }));
    for (const [field, value] of Object.entries({
      line1: ADDRESS.line1,
      city: ADDRESS.city,
      'postal-code': ADDRESS.postalCode,
      country: 'us',
    })) {
      await wrapper.get(`[data-testid="address-${field}"]`).setValue(value);
    }
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(updateMe).toHaveBeenCalledWith({ address: ADDRESS });
  });
});
