import { ref, shallowRef, type Ref, type ShallowRef } from 'vue';

export interface Action<A extends unknown[]> {
  /** True while a run is under way; a run asked for meanwhile is dropped (a double click). */
  running: Ref<boolean>;
  /** What the last run threw, until the next run starts. */
  error: ShallowRef<unknown>;
  run: (...args: A) => Promise<void>;
}

/** Something a person sets off (a submit, a button): one run at a time, its failure kept to show. */
export function useAction<A extends unknown[]>(work: (...args: A) => Promise<void>): Action<A> {
  const running = ref(false);
  const error = shallowRef<unknown>(null);

  async function run(...args: A): Promise<void> {
    if (running.value) return;
    running.value = true;
    error.value = null;
    try {
      await work(...args);
    } catch (e) {
      error.value = e;
    } finally {
      running.value = false;
    }
  }

  return { running, error, run };
}
