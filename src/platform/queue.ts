// Forge async events: the delivery queue declared in manifest.yml (consumer tandem-delivery-consumer).
import { Queue } from '@forge/events';
import type { QueuePort } from '../sync/ports';

export const DELIVERY_QUEUE = 'tandem-deliveries';

/** Forge's longest queue delay (https://developer.atlassian.com/platform/forge/runtime-reference/async-events-api/). */
const MAX_QUEUE_DELAY_SECONDS = 900;

const deliveries = new Queue({ key: DELIVERY_QUEUE });

export const forgeQueue: QueuePort = {
  async push(message, delayInSeconds) {
    // A longer wait arrives after the longest delay Forge allows, saying how much is left
    // (the consumer pushes it again until none is: see stillWaiting).
    const delay = Math.max(0, Math.ceil(delayInSeconds ?? 0));
    const first = Math.min(delay, MAX_QUEUE_DELAY_SECONDS);
    const body = delay > first ? { ...message, waitLeft: delay - first } : message;
    await deliveries.push([{ body, ...(first > 0 ? { delayInSeconds: first } : {}) }]);
  },
};
