/** Resolves in a task of its own, so the work after it does not lengthen the current task. */
export function nextTask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
