// Forge async events: the queue of Sync existing jobs declared in manifest.yml (consumer tandem-bulk-consumer).
// Its own queue, so a job's steps never wait behind the live deliveries, nor they behind it.
import { Queue } from '@forge/events';
import type { BulkPorts, BulkQueuePort } from '../sync/ports';
import { forgePorts } from './ports';

export const BULK_QUEUE = 'tandem-bulk-sync';

/** Forge's longest queue delay (https://developer.atlassian.com/platform/forge/runtime-reference/async-events-api/). */
const MAX_QUEUE_DELAY_SECONDS = 900;

const steps = new Queue({ key: BULK_QUEUE });

export const forgeBulkQueue: BulkQueuePort = {
  async push(message, delayInSeconds) {
    // A step waits at most one queue delay; a longer wait (a spent quota) is run out by the step itself going on.
    const delay = Math.min(MAX_QUEUE_DELAY_SECONDS, Math.max(0, Math.ceil(delayInSeconds ?? 0)));
    await steps.push([{ body: { ...message }, ...(delay > 0 ? { delayInSeconds: delay } : {}) }]);
  },
};

export const forgeBulkPorts: BulkPorts = { ...forgePorts, bulkQueue: forgeBulkQueue };
