// The ports the use cases take, with the delivery type the queue carries. The port interfaces
// themselves live in src/ports, where connectors and the platform reach them too.
import type { ClockPort, EgressPort, JiraPort, QueueMessage as AnyQueueMessage, QueuePort as AnyQueuePort, StorePort } from '../ports';
import type { AnyDelivery } from './delivery';

export * from '../ports';

/** What Tandem puts on its delivery queue: one delivery, outbound or inbound. */
export type QueueMessage = AnyQueueMessage<AnyDelivery>;
export type QueuePort = AnyQueuePort<AnyDelivery>;

export interface Ports {
  jira: JiraPort;
  store: StorePort;
  queue: QueuePort;
  clock: ClockPort;
  external: EgressPort;
}
