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

/** The message that runs one step of a Sync existing job (src/sync/bulk), on its own queue. */
export interface BulkStepMessage {
  type: 'bulk-step';
  connectionId: string;
  jobId: string;
  /** The step the job expects; any other is a duplicate or stale. */
  step: number;
  /** Pushes so far in this chain of steps (Forge allows 1,000 a chain). */
  chain: number;
}

export interface BulkQueuePort {
  push(message: BulkStepMessage, delayInSeconds?: number): Promise<void>;
}

export type BulkPorts = Ports & { bulkQueue: BulkQueuePort };
