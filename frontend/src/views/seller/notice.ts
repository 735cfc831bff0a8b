/** The history-state key under which a seller page hands the products list a notice to show. */
export const NOTICE_KEY = 'sellerNotice';

/** The notice the navigation to this page carried, if any (then forgotten, so a reload is quiet). */
export function takeNotice(): string | null {
  const state: unknown = window.history.state;
  if (!state || typeof state !== 'object' || !(NOTICE_KEY in state)) return null;
  const notice = (state as Record<string, unknown>)[NOTICE_KEY];
  const { [NOTICE_KEY]: _taken, ...rest } = state as Record<string, unknown>;
  window.history.replaceState(rest, '');
  return typeof notice === 'string' ? notice : null;
}
