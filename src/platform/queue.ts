// Forge async events: the delivery queue declared in manifest.yml (consumer tandem-delivery-consumer).
import type { Queue } from '@forge/events';
import type { QueuePort } from '../sync/ports';

export const DELIVERY_QUEUE = 'tandem-deliveries';

/** Forge's longest queue delay (https://developer.atlassian.com/platform/forge/runtime-reference/async-events-api/). */
const MAX_QUEUE_DELAY_SECONDS = 900;

let deliveries: Queue | undefined;

/** The queue, made at the first push: @forge/events loads then, not with every function that never pushes. */
async function deliveryQueue(): Promise<Queue> {
  deliveries ??= new (await import('@forge/events')).Queue({ key: DELIVERY_QUEUE });
  return deliveries;
}

export const forgeQueue: QueuePort = {
  async push(message, delayInSeconds) {
    // A longer wait arrives after the longest delay Forge allows, saying how much is left
    // (the consumer pushes it again until none is: see stillWaiting).
    const delay = Math.max(0, Math.ceil(delayInSeconds ?? 0));
    const first = Math.min(delay, MAX_QUEUE_DELAY_SECONDS);
    const body = delay > first ? { ...message, waitLeft: delay - first } : message;
    await (await deliveryQueue()).push([{ body, ...(first > 0 ? { delayInSeconds: first } : {}) }]);
  },
};
