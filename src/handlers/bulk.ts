// The Sync existing queue's consumer (manifest: tandem-bulk-consumer): one step of a connection's job.
// A step it cannot read is dropped: retrying would not help.
import { forgeBulkPorts } from '../platform/bulk-queue';
import { bulkStepSchema, runBulkStep } from '../sync/bulk';
import { queueEventSchema } from './schemas';

export async function onBulkStep(event: unknown): Promise<void> {
  const parsed = queueEventSchema.safeParse(event);
  const step = parsed.success ? bulkStepSchema.safeParse(parsed.data.body) : undefined;
  if (!parsed.success || !step?.success) {
    console.warn('Dropped a Sync existing step of unknown shape', parsed.success ? parsed.data.eventId : 'unreadable');
    return;
  }
  await runBulkStep(forgeBulkPorts, step.data, parsed.data.eventId);
}
