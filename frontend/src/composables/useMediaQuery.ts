import { onBeforeUnmount, ref, type Ref } from 'vue';

/** Whether a media query matches now, kept up to date (false where there is no window). */
export function useMediaQuery(query: string): Ref<boolean> {
  const list = typeof window === 'undefined' ? null : window.matchMedia(query);
  const matches = ref(list?.matches ?? false);
  const update = (event: MediaQueryListEvent) => (matches.value = event.matches);
  list?.addEventListener('change', update);
  onBeforeUnmount(() => list?.removeEventListener('change', update));
  return matches;
}
