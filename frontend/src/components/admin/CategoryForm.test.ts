import type {
  CategoryBody,
  CategoryPatchBody,
  CategoryRecord,
  CategoryTree,
} from '@marketplace/contracts';
import { flushPromises, mount } from '@vue/test-utils';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type * as Client from '../../api/client.ts';

const createCategory = vi.fn<(body: CategoryBody) => Promise<CategoryRecord>>();
const updateCategory = vi.fn<(id: string, body: CategoryPatchBody) => Promise<CategoryRecord>>();
vi.mock('../../api/client.ts', async (original) => ({
  ...(await original<typeof Client>()),
  createCategory: (body: CategoryBody) => createCategory(body),
  updateCategory: (id: string, body: CategoryPatchBody) => updateCategory(id, body),
}));

const { ApiError } = await import('../../api/client.ts');
const { i18n } = await import('../../i18n/index.ts');
const { findPlaced } = await import('./categoryTree.ts');
const CategoryForm = (await import('./CategoryForm.vue')).default;

const OUTDOOR = '10000000-0000-4000-8000-000000000005';
const CAMPING = '10000000-0000-4000-8000-000000000006';
const BOOKS = '10000000-0000-4000-8000-000000000007';
const TREE: CategoryTree = [
  {
    id: OUTDOOR,
    slug: 'outdoor',
    name: 'Outdoor',
    productCount: 2,
    children: [{ id: CAMPING, slug: 'camping', name: 'Camping', productCount: 1, children: [] }],
  },
  { id: BOOKS, slug: 'books', name: 'Books', productCount: 0, children: [] },
];

function mountForm(editing: string | null = null, newParentId: string | null = null) {
  return mount(CategoryForm, {
    props: {
      tree: TREE,
      editing: editing ? (findPlaced(TREE, editing) ?? null) : null,
      newParentId,
    },
    global: { plugins: [i18n] },
    attachTo: document.body,
  });
}

const record = (body: Partial<CategoryRecord>): CategoryRecord => ({
  id: 'new-id',
  parentId: null,
  slug: 'slug',
  name: 'Name',
  position: 0,
  ...body,
});

describe('the category form', () => {
  beforeEach(() => {
    createCategory.mockReset();
    updateCategory.mockReset();
  });

  it('when a name is typed, then a slug is suggested until the admin types their own', async () => {
    const wrapper = mountForm(null, OUTDOOR);
    await wrapper.get('[data-testid="admin-category-name"]').setValue('Tents & Tarps');
    const slug = wrapper.get<HTMLInputElement>('[data-testid="admin-category-slug"]');
    expect(slug.element.value).toBe('tents-tarps');
    await slug.setValue('shelters');
    await wrapper.get('[data-testid="admin-category-name"]').setValue('Tents');
    expect(slug.element.value).toBe('shelters');

    createCategory.mockResolvedValue(record({ slug: 'shelters', name: 'Tents' }));
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(createCategory).toHaveBeenCalledWith({
      name: 'Tents',
      slug: 'shelters',
      parentId: OUTDOOR,
    });
    expect(wrapper.emitted('saved')?.[0]?.[1]).toBe(true);
  });

  it('when a category is edited, then only what changed is sent, and it cannot move below itself', async () => {
    const wrapper = mountForm(OUTDOOR);
    const parents = wrapper.findAll('[data-testid="admin-category-parent"] option');
    expect(parents.map((o) => o.attributes('value'))).toEqual(['', BOOKS]);
    expect(wrapper.get('[data-testid="admin-category-save"]').attributes('disabled')).toBeDefined();

    await wrapper.get('[data-testid="admin-category-name"]').setValue('Outdoors');
    // A rename keeps the slug: it is in the catalog's addresses.
    expect(wrapper.get<HTMLInputElement>('[data-testid="admin-category-slug"]').element.value).toBe(
      'outdoor',
    );
    await wrapper.get('[data-testid="admin-category-parent"]').setValue(BOOKS);
    updateCategory.mockResolvedValue(record({ id: OUTDOOR, name: 'Outdoors', parentId: BOOKS }));
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(updateCategory).toHaveBeenCalledWith(OUTDOOR, { name: 'Outdoors', parentId: BOOKS });
  });

  it('when the slug is taken, then the refusal stands beside the slug, in the page’s language', async () => {
    const wrapper = mountForm();
    await wrapper.get('[data-testid="admin-category-name"]').setValue('Books again');
    await wrapper.get('[data-testid="admin-category-slug"]').setValue('books');
    createCategory.mockRejectedValue(
      new ApiError({
        type: 'about:blank',
        code: 'duplicate-slug',
        title: 'Conflict',
        status: 409,
        detail: 'Another category has this slug.',
        errors: [{ field: 'slug', message: 'is taken' }],
      }),
    );
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    const slug = wrapper.get('[data-testid="admin-category-slug"]').element;
    expect(slug.getAttribute('aria-invalid')).toBe('true');
    const described = (slug.getAttribute('aria-describedby') ?? '')
      .split(' ')
      .map((id) => document.getElementById(id)?.textContent ?? '')
      .join(' ');
    expect(described).toContain(i18n.global.t('admin.problems.duplicateSlug'));
    expect(wrapper.find('[role="alert"].alert').exists()).toBe(false);
  });

  it('when a slug is not one the server takes, then nothing is sent and the field says why', async () => {
    const wrapper = mountForm();
    await wrapper.get('[data-testid="admin-category-name"]').setValue('Books');
    await wrapper.get('[data-testid="admin-category-slug"]').setValue('Books--X');
    expect(wrapper.text()).toContain(i18n.global.t('admin.categories.slugInvalid'));
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(createCategory).not.toHaveBeenCalled();
  });
});
