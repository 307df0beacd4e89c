// The delivery queue's consumer (manifest: tandem-delivery-consumer): a retry, or a sync an admin
// or the tool asked for. It never throws for a delivery it cannot read: retrying would not help.
import { forgePorts } from '../platform/ports';
import { stillWaiting } from '../sync/delivery';
import { runInboundDelivery } from '../sync/inbound';
import { runDelivery } from '../sync/outbound';
import { holderOfQueueEvent } from '../sync/sync-lock';
import { deliveryBodySchema, queueEventSchema } from './schemas';

export async function onDelivery(event: unknown): Promise<void> {
  const parsed = queueEventSchema.safeParse(event);
  const body = parsed.success ? deliveryBodySchema.safeParse(parsed.data.body) : undefined;
  if (!parsed.success || !body?.success) {
    console.warn('Dropped a queue event of unknown shape', parsed.success ? parsed.data.eventId : 'unreadable');
    return;
  }
  if (await stillWaiting(forgePorts, body.data)) return;
  const delivery = body.data.delivery;
  const holder = holderOfQueueEvent(parsed.data.eventId, parsed.data.retryContext);
  if (delivery.kind === 'inbound') await runInboundDelivery(forgePorts, delivery, holder);
  else await runDelivery(forgePorts, delivery, holder);
}
