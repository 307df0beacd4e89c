// Forge async events: the delivery queue declared in manifest.yml (consumer tandem-delivery-consumer).
import { Queue } from '@forge/events';
import type { QueuePort } from '../sync/ports';

export const DELIVERY_QUEUE = 'tandem-deliveries';

const deliveries = new Queue({ key: DELIVERY_QUEUE });

export const forgeQueue: QueuePort = {
  async push(body, delayInSeconds) {
    await deliveries.push([{ body, ...(delayInSeconds ? { delayInSeconds } : {}) }]);
  },
};
