import { isTransientDbError } from '@marketplace/db';

/**
 * Thrown by a handler for an event that can never succeed (it refers to something that cannot
 * exist, say): the event is parked without waiting out the remaining attempts.
 */
export class PermanentEventError extends Error {
  override readonly name = 'PermanentEventError';
}

/** Thrown by a handler whose dependency is down: the event is retried for as long as it takes. */
export class TransientEventError extends Error {
  override readonly name = 'TransientEventError';
}

export type FailureKind = 'transient' | 'permanent' | 'unknown';

/**
 * Transient: the database or a dependency was unreachable, or a lock could not be had; the same
 * event will succeed once it is back, so it is never parked. Permanent: the handler said so.
 * Unknown: anything else (a bug, a constraint), parked after the attempts run out.
 */
export function classifyFailure(error: unknown): FailureKind {
  if (error instanceof PermanentEventError) return 'permanent';
  if (error instanceof TransientEventError || isTransientDbError(error)) return 'transient';
  return 'unknown';
}

export function describeFailure(error: unknown): string {
  return (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(
    0,
    1000,
  );
}
