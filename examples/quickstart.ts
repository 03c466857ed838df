import { Queue, UnrecoverableError, Worker } from 'sharq';

type Email = { to: string; subject: string };

const queue = new Queue<Email>('emails');
const worker = new Worker<Email>('emails', async (job) => {
  if (!job.data.to.includes('@')) throw new UnrecoverableError(`bad address: ${job.data.to}`);
  console.log(`sent "${job.data.subject}" to ${job.data.to} (delivery ${job.deliveryCount})`);
});

const settled = new Promise((resolve) => {
  let n = 0;
  const one = () => ++n === 2 && resolve(n);
  worker.on('completed', one);
  worker.on('dead-lettered', ({ error }) => {
    console.log(`dead-lettered: ${error.message}`);
    one();
  });
});
await queue.addBulk([
  { name: 'welcome', data: { to: 'ada@example.com', subject: 'Welcome' } },
  { name: 'welcome', data: { to: 'nobody', subject: 'Welcome' } },
]);
await settled;
await Promise.all([worker.close(), queue.close()]);
