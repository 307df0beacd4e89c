// The reconciliation sweep's scheduled trigger (manifest: tandem-sweep). Scheduled triggers are not
// retried and their return value is ignored, so a failure is logged and the next run carries on.
import { forgePorts } from '../platform/ports';
import { runSweeps } from '../sync/sweep';

export async function onSweep(): Promise<void> {
  try {
    await runSweeps(forgePorts);
  } catch (error) {
    // The name only: a message could quote a request, and a request could hold a secret.
    console.error('The reconciliation sweep stopped', error instanceof Error ? error.name : typeof error);
  }
}
