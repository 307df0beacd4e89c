// The reconciliation sweep's scheduled trigger (manifest: tandem-sweep). Scheduled triggers are not
// retried and their return value is ignored, so a failure is logged and the next run carries on.
import { forgeBulkPorts } from '../platform/bulk-queue';
import { forgePorts } from '../platform/ports';
import { restartStoppedBulkJobs } from '../sync/bulk-restart';
import { runSweeps } from '../sync/sweep';

export async function onSweep(): Promise<void> {
  try {
    // Sync existing jobs whose chain of steps stopped go on from their checkpoint.
    await restartStoppedBulkJobs(forgeBulkPorts);
  } catch (error) {
    console.error('Restarting stopped Sync existing jobs failed', error instanceof Error ? error.name : typeof error);
  }
  try {
    await runSweeps(forgePorts);
  } catch (error) {
    // The name only: a message could quote a request, and a request could hold a secret.
    console.error('The reconciliation sweep stopped', error instanceof Error ? error.name : typeof error);
  }
}
