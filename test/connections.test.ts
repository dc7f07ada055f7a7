/**
 * What a slow or silent client costs is bounded: a connection that does not finish its request headers within the
 * headers timeout, or its whole request within the request timeout, is answered 408 and closed; a kept-alive
 * connection idle for the keep-alive timeout is closed; beyond the connection limit new connections are closed at
 * once. Raw `net` sockets play the clients, on 127.0.0.1 only.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { resolveConfig } from '../src/index.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from './support/server.js';

// Long enough for the server to accept all 1,000 connections (one per event-loop turn) before the first expires.
const HEADERS_TIMEOUT_MS = 2000;
const REQUEST_TIMEOUT_MS = 2500;
/** Node looks for expired requests every min(1 s, half the headers timeout), so a timeout fires up to that late. */
const CHECK_INTERVAL_MS = Math.min(1000, HEADERS_TIMEOUT_MS / 2);
/** Scheduling slack on a loaded machine, on top of the documented bound. */
const SLACK_MS = 1000;
/** How much earlier the client may see its connection start than the server does. */
const EARLY_MS = 100;
const PROMPT_ANSWER_MS = 1000;

interface RawConnection {
  socket: net.Socket;
  /** True once the server has closed the connection. */
  isClosed(): boolean;
  /** When the server closes the connection: milliseconds since it connected, and what the server sent. */
  closed: Promise<{ afterMs: number; received: string }>;
}

/** Opens a TCP connection to the server and sends `sent` (possibly nothing), leaving the connection open. */
function connect(t: TestServer, sent: string): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(new URL(t.url).port), '127.0.0.1');
    let connectedAt = 0;
    let received = '';
    let isClosed = false;
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (received += chunk));
    const closed = new Promise<{ afterMs: number; received: string }>((resolveClosed) =>
      socket.once('close', () => {
        isClosed = true;
        resolveClosed({ afterMs: performance.now() - connectedAt, received });
      }),
    );
    // A reset is one way for the server to close the connection; only a failure to connect is an error.
    socket.on('error', (error) => {
      if (!connectedAt) reject(error);
    });
    socket.once('connect', () => {
      connectedAt = performance.now();
      if (sent) socket.write(sent);
      resolve({ socket, isClosed: () => isClosed, closed });
    });
  });
}

/**
 * Opens `count` connections, `batch` at a time, each sending `sent(i)`. After each batch it waits until the server
 * has taken or dropped them all: Node accepts one connection per event-loop turn, and a full listen backlog would
 * hold the next connections back for a second.
 */
async function connectMany(t: TestServer, count: number, sent: (i: number) => string, batch = 100): Promise<RawConnection[]> {
  const server = t.server.app.server;
  let arrived = 0;
  const onArrival = () => arrived++;
  server.on('connection', onArrival);
  server.on('drop', onArrival);
  const connections: RawConnection[] = [];
  try {
    for (let start = 0; start < count; start += batch) {
      const size = Math.min(batch, count - start);
      connections.push(...(await Promise.all(Array.from({ length: size }, (_, k) => connect(t, sent(start + k))))));
      for (let turns = 0; arrived < connections.length && turns < 10_000; turns++) await new Promise(setImmediate);
    }
  } finally {
    server.off('connection', onArrival);
    server.off('drop', onArrival);
  }
  return connections;
}

const connectionCount = (t: TestServer) =>
  new Promise<number>((resolve, reject) => t.server.app.server.getConnections((error, count) => (error ? reject(error) : resolve(count))));

/** Rejects if `promise` has not settled within `ms`, so no wait is unbounded. */
function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const getUser = (keepAlive: boolean) =>
  `GET /user HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${ADMIN_TOKEN}\r\n${keepAlive ? '' : 'Connection: close\r\n'}\r\n`;

/** Ways of leaving a request unfinished, and which timeout closes each. */
const HALF_OPEN = [
  { kind: 'a connection that sends nothing', sent: '', timeoutMs: HEADERS_TIMEOUT_MS },
  { kind: 'part of the request line', sent: 'GET /us', timeoutMs: HEADERS_TIMEOUT_MS },
  { kind: 'part of the headers', sent: `GET /user HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${ADMIN_TOKEN}\r\n`, timeoutMs: HEADERS_TIMEOUT_MS },
  {
    kind: 'complete headers and part of the body',
    sent: `POST /admin/users HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${ADMIN_TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 64\r\n\r\n{"login":"half`,
    timeoutMs: REQUEST_TIMEOUT_MS,
  },
];

describe('headers and request timeouts', () => {
  it('1,000 silent half-open sockets are closed within the documented timeout while normal requests keep answering', async () => {
    const t = await startTestServer({ headersTimeoutMs: HEADERS_TIMEOUT_MS, requestTimeoutMs: REQUEST_TIMEOUT_MS });
    let connections: RawConnection[] = [];
    try {
      connections = await connectMany(t, 1000, (i) => HALF_OPEN[i % HALF_OPEN.length]!.sent);
      assert.ok((await connectionCount(t)) >= 1000, 'the server holds all 1,000 connections at once');

      const allClosed = Promise.all(connections.map((c) => c.closed));
      const deadline = performance.now() + REQUEST_TIMEOUT_MS + CHECK_INTERVAL_MS + SLACK_MS;
      const answers: { status: number; ms: number }[] = [];
      // Normal requests all along, including while the server closes the half-open connections en masse.
      while (connections.some((c) => !c.isClosed()) && performance.now() < deadline) {
        const started = performance.now();
        const response = await t.request('GET', '/user', { token: ADMIN_TOKEN });
        answers.push({ status: response.status, ms: performance.now() - started });
        await sleep(25);
      }
      await within(SLACK_MS, allClosed, 'every half-open connection closed');
      assert.ok(answers.length >= 10, `${answers.length} normal requests`);
      for (const answer of answers) {
        assert.equal(answer.status, 200);
        assert.ok(answer.ms < PROMPT_ANSWER_MS, `a normal request took ${Math.round(answer.ms)} ms`);
      }

      for (const [i, connection] of connections.entries()) {
        const { kind, timeoutMs } = HALF_OPEN[i % HALF_OPEN.length]!;
        const { afterMs, received } = await connection.closed;
        assert.ok(afterMs >= timeoutMs - EARLY_MS, `${kind}: closed after ${Math.round(afterMs)} ms, before its ${timeoutMs} ms timeout`);
        assert.ok(afterMs <= timeoutMs + CHECK_INTERVAL_MS + SLACK_MS, `${kind}: closed only after ${Math.round(afterMs)} ms`);
        assert.match(received, /^HTTP\/1\.1 408 /, kind);
      }
    } finally {
      connections.forEach((c) => c.socket.destroy());
      await t.close();
    }
  });

  it('a headers timeout above the request timeout is capped at the request timeout', async () => {
    const requestTimeoutMs = 500;
    const t = await startTestServer({ headersTimeoutMs: 5000, requestTimeoutMs });
    const silent = await connect(t, '');
    try {
      const { afterMs } = await within(requestTimeoutMs + SLACK_MS, silent.closed, 'the silent connection closed');
      assert.ok(afterMs >= requestTimeoutMs - EARLY_MS, `closed after ${Math.round(afterMs)} ms`);
    } finally {
      silent.socket.destroy();
      await t.close();
    }
  });
});

describe('keep-alive timeout', () => {
  it('a kept-alive connection idle for the keep-alive timeout is closed (Node waits 1 s more than it advertises)', async () => {
    const keepAliveTimeoutMs = 500;
    const t = await startTestServer({ keepAliveTimeoutMs });
    const connection = await connect(t, getUser(true));
    try {
      const { afterMs, received } = await within(keepAliveTimeoutMs + 1000 + SLACK_MS, connection.closed, 'the idle connection closed');
      assert.match(received, /^HTTP\/1\.1 200 /);
      assert.match(received, /\r\nconnection: keep-alive\r\n/i);
      assert.ok(afterMs >= keepAliveTimeoutMs, `closed after ${Math.round(afterMs)} ms`);
    } finally {
      connection.socket.destroy();
      await t.close();
    }
  });
});

describe('connection limit', () => {
  it('beyond maxConnections new connections are closed at once, and the server answers again once connections go away', async () => {
    const maxConnections = 20;
    const t = await startTestServer({ maxConnections });
    let connections: RawConnection[] = [];
    try {
      // One at a time, so the server has accepted (or dropped) each before the next arrives.
      connections = await connectMany(t, maxConnections + 10, () => '', 1);
      await sleep(200);
      const dropped = connections.filter((c) => c.isClosed());
      assert.equal(await connectionCount(t), maxConnections);
      assert.ok(dropped.length >= 10, `${dropped.length} of the connections beyond the limit were closed`);
      for (const connection of dropped) assert.equal((await connection.closed).received, '', 'closed without an answer');

      connections.forEach((c) => c.socket.destroy());
      for (let polls = 0; (await connectionCount(t)) >= maxConnections && polls < 50; polls++) await sleep(20);
      const fresh = await connect(t, getUser(false));
      const { received } = await within(SLACK_MS, fresh.closed, 'the answer on a new connection');
      assert.match(received, /^HTTP\/1\.1 200 /);
      assert.equal((await t.request('GET', '/user', { token: ADMIN_TOKEN })).status, 200);
    } finally {
      connections.forEach((c) => c.socket.destroy());
      await t.close();
    }
  });
});

describe('stopping the server', () => {
  it('close() waits at most the request timeout for connections that never finish a request', async () => {
    const requestTimeoutMs = 1000;
    const t = await startTestServer({ headersTimeoutMs: requestTimeoutMs, requestTimeoutMs });
    const connections = await connectMany(t, 10, (i) => HALF_OPEN[i % HALF_OPEN.length]!.sent);
    try {
      const started = performance.now();
      await within(requestTimeoutMs + SLACK_MS, t.server.close(), 'close()');
      assert.ok(performance.now() - started >= requestTimeoutMs - EARLY_MS, 'requests in progress get the request timeout');
      await within(SLACK_MS, Promise.all(connections.map((c) => c.closed)), 'every connection closed');
    } finally {
      connections.forEach((c) => c.socket.destroy());
      await t.close();
    }
  });
});

describe('connection settings', () => {
  it('a timeout or connection limit that is not a positive integer is refused', () => {
    for (const name of ['headersTimeoutMs', 'requestTimeoutMs', 'keepAliveTimeoutMs', 'maxConnections'] as const) {
      for (const value of [0, -1, 1.5, Number.NaN]) {
        assert.throws(() => resolveConfig({ [name]: value }), new RegExp(`^Error: ${name} must be a positive integer`), `${name}: ${value}`);
      }
    }
  });
});
