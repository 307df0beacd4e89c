// The queue service on its own: what tests and the sandbox rely on to know when work is done.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../../devkit/forge/clock';
import { QueueService, type ConsumerOutcome } from '../../../devkit/forge/queue';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('a delivery that falls due (in real time) while another runs is run, and whenIdle resolves', async () => {
  const clock = new VirtualClock();
  const ran: string[] = [];
  const queue = new QueueService(
    clock,
    () => true,
    async (event): Promise<ConsumerOutcome> => {
      ran.push(String(event.body.name));
      if (event.body.name === 'slow') await sleep(150);
      return { kind: 'done' };
    },
  );
  assert.equal(queue.push({ queueName: 'work', jobId: 'j1', payload: [{ body: { name: 'slow' } }] }).status, 201);
  // Due one second of virtual time from now: it falls due while "slow" runs once time moves on.
  assert.equal(queue.push({ queueName: 'work', jobId: 'j2', payload: [{ body: { name: 'later' }, delayInSeconds: 1 }] }).status, 201);
  await sleep(10);
  clock.advance(900);
  const idle = queue.whenIdle().then(() => 'idle');
  const outcome = await Promise.race([idle, sleep(3000).then(() => 'still waiting')]);
  assert.equal(outcome, 'idle');
  assert.deepEqual(ran, ['slow', 'later']);
  queue.stop();
});

test('a consumer that may run longer than 55 s takes events of at most 100 KB each; others up to the 200 KB push', async () => {
  const clock = new VirtualClock();
  const queue = new QueueService(
    clock,
    () => true,
    async (): Promise<ConsumerOutcome> => ({ kind: 'done' }),
    (name) => (name === 'long' ? 100 : undefined),
  );
  const event = { body: { text: 'x'.repeat(120 * 1024) } };
  assert.equal(queue.push({ queueName: 'long', jobId: 'j1', payload: [event] }).status, 413);
  assert.equal(queue.push({ queueName: 'short', jobId: 'j2', payload: [event] }).status, 201);
  assert.equal(queue.push({ queueName: 'long', jobId: 'j3', payload: [{ body: { text: 'x'.repeat(90 * 1024) } }] }).status, 201);
  queue.stop();
});
