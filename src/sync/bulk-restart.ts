// Sync existing jobs whose chain of steps stopped, started again by the five-minute scheduled trigger.
import * as z from 'zod';
import { bulkJobKey, jobSchema, type Job } from './bulk';
import type { BulkPorts } from './ports';
import { keyPart } from './state';

/**
 * How many sweeps in a row (one each five minutes) must find a job at the same step, its step overdue,
 * before the job counts as stopped: longer than a step with all its retries, or a wait for Jira, takes.
 */
const STALLED_AFTER_SWEEPS = 4;
const bulkWatchKey = (connectionId: string) => `bulk-watch:${keyPart(connectionId)}`;
const watchSchema = z.object({ jobId: z.string(), step: z.number().int(), seen: z.number().int() });

/**
 * The scheduled trigger's part: a running job whose chain stopped (it neared Forge's 1,000 pushes,
 * its step's retries ran out, a push was lost) gets a new chain from its checkpoint. The step number
 * moves on, so a late message of the old chain does nothing.
 */
export async function restartStoppedBulkJobs(ports: BulkPorts): Promise<number> {
  let restarted = 0;
  let cursor: string | undefined;
  do {
    const page = await ports.store.list('bulk-job:', { limit: 100, ...(cursor ? { cursor } : {}) });
    for (const entry of page.entries) {
      const job = jobSchema.safeParse(entry.value);
      if (!job.success || job.data.status !== 'running') continue;
      const watch = watchSchema.safeParse(await ports.store.get(bulkWatchKey(job.data.connectionId)));
      const same = watch.success && watch.data.jobId === job.data.jobId && watch.data.step === job.data.step;
      const seen = same ? watch.data.seen + 1 : 1;
      const overdue = ports.clock.now() > Date.parse(job.data.dueAt ?? job.data.startedAt);
      if (seen < STALLED_AFTER_SWEEPS || !overdue) {
        await ports.store.set(bulkWatchKey(job.data.connectionId), { jobId: job.data.jobId, step: job.data.step, seen });
        continue;
      }
      const next: Job = { ...job.data, step: job.data.step + 1, dueAt: new Date(ports.clock.now()).toISOString() };
      await ports.store.set(bulkJobKey(next.connectionId), next);
      await ports.bulkQueue.push({ type: 'bulk-step', connectionId: next.connectionId, jobId: next.jobId, step: next.step, chain: 0 });
      await ports.store.delete(bulkWatchKey(next.connectionId));
      restarted += 1;
    }
    cursor = page.cursor;
  } while (cursor);
  return restarted;
}
