import type { Notification } from '@marketplace/contracts';

export interface Subscriber {
  /** A notification of the subscriber's user was committed (a stream reads its feed from there). */
  arrived(notification: Notification): void;
  /** Called when the hub shuts down or the user's streams are closed, so the connection can end. */
  close(): void;
}

/**
 * In-process fan-out of freshly committed notifications to the live connections of their user.
 * One instance per process: a user connected to another instance is not reached from here.
 */
export class NotificationHub {
  private readonly subscribers = new Map<string, Set<Subscriber>>();

  /** Adds a live connection of `userId`; returns the function that removes it. */
  subscribe(userId: string, subscriber: Subscriber): () => void {
    let set = this.subscribers.get(userId);
    if (!set) {
      set = new Set();
      this.subscribers.set(userId, set);
    }
    set.add(subscriber);
    return () => {
      const current = this.subscribers.get(userId);
      if (!current) return;
      current.delete(subscriber);
      if (current.size === 0) this.subscribers.delete(userId);
    };
  }

  publish(userId: string, notification: Notification): void {
    for (const subscriber of this.subscribers.get(userId) ?? []) subscriber.arrived(notification);
  }

  /** Ends every live connection of `userId` (e.g. once they are blocked). */
  closeUser(userId: string): void {
    const set = this.subscribers.get(userId);
    if (!set) return;
    this.subscribers.delete(userId);
    for (const subscriber of [...set]) subscriber.close();
  }

  /** Live connections of `userId`, for tests. */
  sizeOf(userId: string): number {
    return this.subscribers.get(userId)?.size ?? 0;
  }

  /** Live connections in all, for metrics and tests. */
  get size(): number {
    let count = 0;
    for (const set of this.subscribers.values()) count += set.size;
    return count;
  }

  closeAll(): void {
    for (const set of [...this.subscribers.values()]) {
      for (const subscriber of [...set]) subscriber.close();
    }
    this.subscribers.clear();
  }
}
