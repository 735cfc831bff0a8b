import type { Notification } from '@marketplace/contracts';

/**
 * Opens `authorization`'s live stream at `base` and records in `seen` when each order's
 * `order.placed` notification arrives (epoch ms, by order id); returns the function that closes it.
 */
export async function watchOrdersPlaced(
  base: string,
  authorization: string,
  seen: Map<string, number>,
): Promise<() => void> {
  const controller = new AbortController();
  const response = await fetch(`${base}/api/notifications/stream`, {
    headers: { authorization, accept: 'text/event-stream' },
    signal: controller.signal,
  });
  if (!response.ok || !response.body) throw new Error(`stream: ${response.status}`);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  void (async () => {
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: '', done: true }));
      if (done) return;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const data = buffer
          .slice(0, end)
          .split('\n')
          .filter((line) => line.startsWith('data:'))
          .map((line) => line.slice(5).trim())
          .join('');
        buffer = buffer.slice(end + 2);
        if (!data) continue;
        const notification = JSON.parse(data) as Notification;
        const { orderId } = notification.data;
        if (notification.type === 'order.placed' && typeof orderId === 'string')
          seen.set(orderId, performance.timeOrigin + performance.now());
      }
    }
  })();
  return () => controller.abort();
}
