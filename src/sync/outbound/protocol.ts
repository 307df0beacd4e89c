// How a change reaches one connection's tool. Each protocol (record REST, the Jira-webhook push) is
// one implementation, chosen once per connection; the delivery guard around it is the same for all.
import type { Delivery } from '../delivery';
import type { OutboundChange, Run } from './run';

export interface OutboundProtocol {
  /**
   * Deliveries of one subject run one at a time: each reads the issue and sends what differs from
   * the shadow, so two at once would both send the same change.
   */
  readonly oneAtATime: boolean;
  /** Whether the change has anything to do with the connection; when not, it costs nothing more. */
  concerns(run: Run, change: OutboundChange): boolean;
  /** The delivery a change starts: its subject, and what a retry of it must carry. */
  deliveryOf(run: Run, change: OutboundChange): Delivery;
  /** The first, inline delivery of a Jira event. */
  deliver(run: Run, change: OutboundChange, delivery: Delivery): Promise<void>;
  /** A queued delivery (a retry, or one an admin or the tool asked for): reads the current state first. */
  redeliver(run: Run, delivery: Delivery): Promise<void>;
}
