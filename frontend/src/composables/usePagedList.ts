import type { PageOf } from '@marketplace/contracts';
import { ref, shallowRef, type Ref } from 'vue';

export interface PagedList<T> {
  items: Ref<T[]>;
  nextCursor: Ref<string | null>;
  loading: Ref<boolean>;
  loadingMore: Ref<boolean>;
  error: Ref<unknown>;
  reload: () => Promise<void>;
  loadMore: () => Promise<void>;
}

/**
 * A cursor-paginated list: the first page on reload, the next on "Load more". A newer reload
 * wins over a slower older one, so quickly changed filters never show stale results.
 */
export function usePagedList<T>(fetchPage: (cursor?: string) => Promise<PageOf<T>>): PagedList<T> {
  const items = ref<T[]>([]) as Ref<T[]>;
  const nextCursor = ref<string | null>(null);
  const loading = ref(false);
  const loadingMore = ref(false);
  const error = shallowRef<unknown>(null);
  let generation = 0;

  async function reload(): Promise<void> {
    const mine = ++generation;
    loading.value = true;
    error.value = null;
    try {
      const page = await fetchPage();
      if (mine !== generation) return;
      items.value = page.items;
      nextCursor.value = page.nextCursor;
    } catch (e) {
      if (mine === generation) error.value = e;
    } finally {
      if (mine === generation) loading.value = false;
    }
  }

  async function loadMore(): Promise<void> {
    const cursor = nextCursor.value;
    if (!cursor || loadingMore.value || loading.value) return;
    const mine = generation;
    loadingMore.value = true;
    error.value = null;
    try {
      const page = await fetchPage(cursor);
      if (mine !== generation) return;
      items.value = [...items.value, ...page.items];
      nextCursor.value = page.nextCursor;
    } catch (e) {
      if (mine === generation) error.value = e;
    } finally {
      loadingMore.value = false;
    }
  }

  return { items, nextCursor, loading, loadingMore, error, reload, loadMore };
}
