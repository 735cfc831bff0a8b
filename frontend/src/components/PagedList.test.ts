import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { h, nextTick } from 'vue';
import { usePagedList } from '../composables/usePagedList.ts';
import PagedList from './PagedList.vue';

const { i18n } = await import('../i18n/index.ts');

interface Item {
  id: string;
}

const page = (from: number, count: number, nextCursor: string | null = 'next') => ({
  items: Array.from({ length: count }, (_, i): Item => ({ id: `item-${from + i}` })),
  nextCursor,
});

function mountList(pages: ReturnType<typeof page>[]) {
  const list = usePagedList<Item>(() => Promise.resolve(pages.shift() ?? page(0, 0, null)));
  const wrapper = mount(PagedList<Item>, {
    props: { list, listTestid: 'list', emptyTestid: 'empty', emptyTitle: 'Nothing' },
    slots: { item: ({ item }: { item: Item }) => h('li', { 'data-testid': 'row' }, item.id) },
    global: { plugins: [i18n] },
  });
  return { list, wrapper, rows: () => wrapper.findAll('[data-testid="row"]').length };
}

const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));
// The render of what reload() stored, in microtasks only: a macrotask (flushPromises) could let the
// component's own next-task growth run first on a busy machine, and the test see all rows.
const rendered = () => nextTick();

describe('PagedList', () => {
  it('when a first page of 16 arrives, then 4 are built at once and the rest in the next task, and only then can the next page be asked for', async () => {
    const { list, wrapper, rows } = mountList([page(0, 16)]);
    await list.reload();
    await rendered();
    expect(rows()).toBe(4);
    expect(wrapper.find('[data-testid="load-more"]').exists()).toBe(false);

    await nextTask();
    expect(rows()).toBe(16);
    expect(wrapper.find('[data-testid="load-more"]').exists()).toBe(true);
  });

  it('when a next page is loaded, then it is shown whole at once', async () => {
    const { list, rows } = mountList([page(0, 16), page(16, 16, null)]);
    await list.reload();
    await nextTask();
    await list.loadMore();
    await rendered();
    expect(rows()).toBe(32);
  });

  it('when a reload brings another first page, then it is built a few at a time again', async () => {
    const { list, rows } = mountList([page(0, 16), page(100, 16)]);
    await list.reload();
    await nextTask();
    await list.reload();
    await rendered();
    expect(rows()).toBe(4);
    await nextTask();
    expect(rows()).toBe(16);
  });
});
