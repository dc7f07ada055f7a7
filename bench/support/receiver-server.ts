// A webhook target in its own process (so receiving never delays the load generator's clock): answers every POST
// 200 at once and keeps when it arrived and which delivery it was; `GET /count` and `GET /receipts?from=N` report them.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Receipt } from './receiver.js';

const receipts: Receipt[] = [];

const server = http.createServer((request, response) => {
  if (request.method === 'GET') {
    const url = new URL(request.url ?? '/', 'http://receiver');
    const answer = url.pathname === '/count' ? receipts.length : receipts.slice(Number(url.searchParams.get('from') ?? 0));
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    return;
  }
  // Epoch milliseconds with sub-millisecond precision: comparable with the benchmark process's own clock.
  const at = performance.timeOrigin + performance.now();
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    response.writeHead(200, { 'content-length': 0 }).end();
    receipts.push({
      at,
      guid: String(request.headers['x-github-delivery']),
      event: String(request.headers['x-github-event']),
      hookId: Number(request.headers['x-github-hook-id']),
      body: Buffer.concat(chunks).toString('utf8'),
    });
  });
});
// The engine keeps its connections alive between bursts.
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`receiver listening on http://127.0.0.1:${(server.address() as AddressInfo).port}\n`));
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
