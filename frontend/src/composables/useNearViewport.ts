import { onBeforeUnmount, onMounted, ref, type Ref } from 'vue';

/**
 * True once the element comes within a screen's height of the viewport. The browser's own
 * `loading="lazy"` starts well over a thousand pixels ahead, and every catalog image is an SVG
 * the browser builds a document for on the main thread: a phone's first catalog page would
 * build a dozen it does not show. One observer serves every card.
 */
let observer: IntersectionObserver | null = null;
const waiting = new WeakMap<Element, () => void>();

function shared(): IntersectionObserver | null {
  if (typeof IntersectionObserver === 'undefined') return null;
  observer ??= new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        if (!entry.isIntersecting) continue;
        waiting.get(entry.target)?.();
        waiting.delete(entry.target);
        observer?.unobserve(entry.target);
      }
    },
    { rootMargin: '100% 0px' },
  );
  return observer;
}

export function useNearViewport(target: Ref<Element | null>, already = false): Ref<boolean> {
  const near = ref(already);
  onMounted(() => {
    const element = target.value;
    const io = shared();
    if (near.value || !element) return;
    if (!io) {
      near.value = true;
      return;
    }
    waiting.set(element, () => (near.value = true));
    io.observe(element);
  });
  onBeforeUnmount(() => {
    const element = target.value;
    if (element && observer) {
      observer.unobserve(element);
      waiting.delete(element);
    }
  });
  return near;
}
