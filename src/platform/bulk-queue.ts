// Forge async events: the queue of Sync existing jobs declared in manifest.yml (consumer tandem-bulk-consumer).
// Its own queue, so a job's steps never wait behind the live deliveries, nor they behind it.
import type { Queue } from '@forge/events';
import type { BulkPorts, BulkQueuePort } from '../sync/ports';
import { forgePorts } from './ports';

export const BULK_QUEUE = 'tandem-bulk-sync';

/** Forge's longest queue delay (https://developer.atlassian.com/platform/forge/runtime-reference/async-events-api/). */
const MAX_QUEUE_DELAY_SECONDS = 900;

let steps: Queue | undefined;

/** The queue, made at the first push: @forge/events loads then, not with every function that never pushes. */
async function stepQueue(): Promise<Queue> {
  steps ??= new (await import('@forge/events')).Queue({ key: BULK_QUEUE });
  return steps;
}

export const forgeBulkQueue: BulkQueuePort = {
  async push(message, delayInSeconds) {
    // A step waits at most one queue delay; a longer wait (a spent quota) is run out by the step itself going on.
    const delay = Math.min(MAX_QUEUE_DELAY_SECONDS, Math.max(0, Math.ceil(delayInSeconds ?? 0)));
    await (await stepQueue()).push([{ body: { ...message }, ...(delay > 0 ? { delayInSeconds: delay } : {}) }]);
  },
};

export const forgeBulkPorts: BulkPorts = { ...forgePorts, bulkQueue: forgeBulkQueue };
