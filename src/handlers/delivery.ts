// The delivery queue's consumer (manifest: tandem-delivery-consumer).
import { forgePorts } from '../platform/ports';
import { deliverIssueChange } from '../sync/changes';
import { deliveryBodySchema, queueEventSchema } from './schemas';

export async function onDelivery(event: unknown): Promise<void> {
  const parsed = queueEventSchema.parse(event);
  const body = deliveryBodySchema.safeParse(parsed.body);
  if (!body.success) {
    console.warn('Dropped a delivery of unknown shape', parsed.eventId);
    return;
  }
  await deliverIssueChange(forgePorts, body.data);
}
