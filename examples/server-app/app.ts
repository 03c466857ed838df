/**
 * A web app on `sharq server`: POST a job over HTTP, the app enqueues it, `sharq worker`
 * processes elsewhere run it. The app holds no queue state of its own; it answers once the job
 * is durable on the server.
 *
 *   POST /emails   {"to":"ada@example.com","subject":"Welcome"}
 *                  202 {"id","queue","partition","offset"} once the job is on the server's disk;
 *                  422 when the body does not fit the schema, 400 when it is not JSON,
 *                  503 when the server cannot take it now (retry)
 *   GET  /healthz  200 "ok"
 *
 * Environment: SHARQ_BROKERS (the server, e.g. 127.0.0.1:9092; required), PORT (3000; 0 picks a
 * free port), EMAIL_QUEUE (emails). Prints {"event":"listening","port":N} once it accepts
 * requests. SIGTERM or SIGINT: stop accepting, finish the requests under way, close the queue,
 * print {"event":"stopped"}, exit 0. See README.md in this folder.
 */
import http from 'node:http';
import { Queue, SharqError } from 'sharq';
import { EMAIL_QUEUE, Email } from './email.js';

const MAX_BODY_BYTES = 64 * 1024;

if ((process.env.SHARQ_BROKERS ?? '') === '') {
  // Without it the Queue would use an in-process engine that no `sharq worker` can see.
  console.error('Set SHARQ_BROKERS to the sharq server, e.g. SHARQ_BROKERS=127.0.0.1:9092');
  process.exit(2);
}

// No `engine` option: with SHARQ_BROKERS set, the Queue reaches the server with the Kafka engine.
const queue = new Queue<Email>(EMAIL_QUEUE, { schema: Email });

function reply(res: http.ServerResponse, status: number, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': typeof body === 'string' ? 'text/plain' : 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** The request body as JSON; undefined (and the answer sent) when it is too big or not JSON. */
async function readJson(req: http.IncomingMessage, res: http.ServerResponse): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      reply(res, 413, { error: `body over ${MAX_BODY_BYTES} bytes` });
      return undefined;
    }
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    reply(res, 400, { error: 'body is not JSON' });
    return undefined;
  }
}

async function postEmail(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const data = await readJson(req, res);
  if (data === undefined) return;
  try {
    // Resolves once the job is durable on the server: a 202 is a promise the job will run.
    const job = await queue.add('send', data as Email);
    reply(res, 202, { id: job.id, queue: job.queue, partition: job.partition, offset: job.offset });
  } catch (err) {
    if (SharqError.is(err, 'SHARQ_ERR_INVALID_PAYLOAD')) {
      reply(res, 422, { error: err.message, code: err.code });
      return;
    }
    const code = SharqError.is(err) ? err.code : undefined;
    reply(res, 503, { error: err instanceof Error ? err.message : String(err), code });
  }
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://app');
  if (req.method === 'POST' && url.pathname === '/emails') {
    void postEmail(req, res);
    return;
  }
  if (req.method === 'GET' && url.pathname === '/healthz') {
    reply(res, 200, 'ok');
    return;
  }
  reply(res, 404, { error: `no route ${req.method} ${url.pathname}` });
});

// The queue's topic exists before the first request, so no request waits for its creation.
await queue.ensureTopic();
server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  console.log(JSON.stringify({ event: 'listening', port, queue: EMAIL_QUEUE }));
});

let stopping = false;
const stop = () => {
  if (stopping) process.exit(130);
  stopping = true;
  // close() stops accepting and waits for the requests under way; idle keep-alive sockets go now.
  server.close(() => {
    void queue.close().then(() => console.log(JSON.stringify({ event: 'stopped' })));
  });
  server.closeIdleConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
