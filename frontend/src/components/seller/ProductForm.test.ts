import type { CategoryTree, Product, ProductBody, ProductPatchBody } from '@marketplace/contracts';
import { flushPromises, mount } from '@vue/test-utils';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createMemoryHistory, createRouter } from 'vue-router';
import type * as Client from '../../api/client.ts';

const createProduct = vi.fn<(body: ProductBody) => Promise<Product>>();
const updateProduct =
  vi.fn<(id: string, body: Omit<ProductPatchBody, 'stock'>) => Promise<Product>>();
const listCategories = vi.fn<() => Promise<CategoryTree>>();
vi.mock('../../api/client.ts', async (original) => ({
  ...(await original<typeof Client>()),
  createProduct: (body: ProductBody) => createProduct(body),
  updateProduct: (id: string, body: Omit<ProductPatchBody, 'stock'>) => updateProduct(id, body),
  listCategories: () => listCategories(),
}));

const { ApiError } = await import('../../api/client.ts');
const { i18n } = await import('../../i18n/index.ts');
const { aProduct } = await import('../../test/fixtures.ts');
const ProductForm = (await import('./ProductForm.vue')).default;

const OUTDOOR = '10000000-0000-4000-8000-000000000005';
const CAMPING = '10000000-0000-4000-8000-000000000006';
const TREE: CategoryTree = [
  {
    id: OUTDOOR,
    slug: 'outdoor',
    name: 'Outdoor',
    productCount: 2,
    children: [{ id: CAMPING, slug: 'camping', name: 'Camping', productCount: 1, children: [] }],
  },
];

async function mountForm(product?: Product) {
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/seller/products', name: 'seller-products', component: { template: '<div/>' } },
    ],
  });
  await router.push('/seller/products');
  const wrapper = mount(ProductForm, {
    props: { product },
    global: { plugins: [router, i18n] },
    attachTo: document.body,
  });
  await flushPromises();
  return wrapper;
}

/** The text of whatever describes the input (its error among it). */
function describedText(wrapper: Awaited<ReturnType<typeof mountForm>>, testid: string): string {
  const input = wrapper.get(`[data-testid="${testid}"]`).element;
  const ids = (input.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean);
  return ids.map((id) => document.getElementById(id)?.textContent ?? '').join(' ');
}

describe('the product form', () => {
  beforeEach(() => {
    createProduct.mockReset();
    updateProduct.mockReset();
    listCategories.mockReset().mockResolvedValue(TREE);
    document.body.innerHTML = '';
  });

  it('when a new product is filled in, then the body has the price in minor units and the rows given', async () => {
    createProduct.mockImplementation(async (body) => aProduct({ ...body, id: 'new' }));
    const wrapper = await mountForm();
    const options = wrapper.findAll('[data-testid="product-category-select"] option');
    // The tree, indented: the sub-category comes after its parent, pushed in.
    expect(options.map((o) => o.element.textContent?.replace(/^[ \n]+|[ \n]+$/g, ''))).toEqual([
      'Choose a category',
      'Outdoor',
      '\u00a0\u00a0\u00a0Camping',
    ]);
    await wrapper.get('[data-testid="product-title-input"]').setValue(' Trail Lantern ');
    await wrapper.get('[data-testid="product-price-input"]').setValue('24,5');
    await wrapper.get('[data-testid="product-currency-select"]').setValue('GBP');
    await wrapper.get('[data-testid="product-category-select"]').setValue(CAMPING);
    await wrapper.get('[data-testid="product-stock-input"]').setValue('7');
    await wrapper.get('[data-testid="product-image-input"]').setValue('/demo/lantern.svg');
    await wrapper.get('[data-testid="product-add-attr"]').trigger('click');
    await wrapper.get('[data-testid="product-attr-key"]').setValue('colour');
    await wrapper.get('[data-testid="product-attr-value"]').setValue('amber');
    await wrapper.get('[data-testid="product-form"]').trigger('submit');
    await flushPromises();

    expect(createProduct).toHaveBeenCalledWith({
      title: 'Trail Lantern',
      description: '',
      priceMinor: 2450,
      currency: 'GBP',
      stock: 7,
      categoryId: CAMPING,
      images: ['/demo/lantern.svg'],
      attributes: { colour: 'amber' },
    });
    expect(wrapper.emitted('saved')?.[0]?.[1]).toBe(true);
  });

  it('when fields are wrong, then nothing is sent and each says why beside itself', async () => {
    const wrapper = await mountForm();
    await wrapper.get('[data-testid="product-price-input"]').setValue('abc');
    await wrapper.get('[data-testid="product-image-input"]').setValue('javascript:alert(1)');
    await wrapper.get('[data-testid="product-form"]').trigger('submit');
    await flushPromises();

    expect(createProduct).not.toHaveBeenCalled();
    expect(wrapper.get('[data-testid="product-title-input"]').attributes('aria-invalid')).toBe(
      'true',
    );
    expect(describedText(wrapper, 'product-price-input')).toContain('Enter an amount such as');
    expect(describedText(wrapper, 'product-image-input')).toContain('Start with https://');
    // The first wrong field takes the focus.
    expect(document.activeElement).toBe(wrapper.get('[data-testid="product-title-input"]').element);
  });

  it('when the server refuses fields, then its messages stand beside those inputs', async () => {
    createProduct.mockRejectedValue(
      new ApiError({
        type: 'about:blank',
        code: 'validation-error',
        title: 'Bad Request',
        status: 400,
        errors: [
          { field: 'images.0', message: 'is not reachable' },
          { field: 'attributes.colour', message: 'is not an accepted value' },
          { field: 'images', message: 'too many' },
        ],
      }),
    );
    const wrapper = await mountForm();
    await wrapper.get('[data-testid="product-title-input"]').setValue('Lantern');
    await wrapper.get('[data-testid="product-price-input"]').setValue('3');
    await wrapper.get('[data-testid="product-category-select"]').setValue(OUTDOOR);
    await wrapper.get('[data-testid="product-image-input"]').setValue('https://example.test/a.png');
    await wrapper.get('[data-testid="product-add-attr"]').trigger('click');
    await wrapper.get('[data-testid="product-attr-key"]').setValue('colour');
    await wrapper.get('[data-testid="product-attr-value"]').setValue('x');
    await wrapper.get('[data-testid="product-form"]').trigger('submit');
    await flushPromises();

    expect(describedText(wrapper, 'product-image-input')).toContain('is not reachable');
    expect(describedText(wrapper, 'product-attr-key')).toContain('is not an accepted value');
    // A problem no input shows is listed in the banner.
    expect(wrapper.get('[role="alert"]').text()).toContain('too many');
  });

  it('when a product is edited, then its stock is not in the form nor in the change sent', async () => {
    const product = aProduct({ id: 'p9', categoryId: OUTDOOR, priceMinor: 1250, stock: 3 });
    updateProduct.mockImplementation(async (_id, body) => ({ ...product, ...body }));
    const wrapper = await mountForm(product);
    expect(wrapper.find('[data-testid="product-stock-input"]').exists()).toBe(false);
    expect(
      (wrapper.get('[data-testid="product-price-input"]').element as HTMLInputElement).value,
    ).toBe('12.50');
    await wrapper.get('[data-testid="product-price-input"]').setValue('13');
    await wrapper.get('[data-testid="product-form"]').trigger('submit');
    await flushPromises();

    expect(updateProduct).toHaveBeenCalledTimes(1);
    const [id, body] = updateProduct.mock.calls[0] ?? [];
    expect(id).toBe('p9');
    expect(body).toMatchObject({ priceMinor: 1300, images: ['/a.svg'] });
    expect(body).not.toHaveProperty('stock');
    expect(wrapper.emitted('saved')?.[0]?.[1]).toBe(false);
  });
});
