import { createHmac } from 'node:crypto';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Kysely } from 'kysely';
import { isoSeconds, type Clock } from '../clock.js';
import type { DialectName } from '../db/connect.js';
import type { Database } from '../db/schema.js';
import { claimDeliveries, completeDeliveries, pruneDeliveries, type DeliveryOutcome, type DeliveryWithPayload } from './store.js';
import { nextTurn } from '../db/next-turn.js';

export interface DeliverySettings {
  /** Deliveries in flight at once, per process; 0: this process records deliveries but sends none (an API-only process). */
  concurrency: number;
  /** A target that has not answered by then is recorded as timed out (GitHub: 10 s). */
  timeoutMs: number;
  /** How often a process looks for deliveries other processes recorded (its own it sends at once). */
  pollMs: number;
  /** How long a claimed delivery is a process's own; a process that dies leaves it to another after this. */
  leaseMs: number;
  /** Deliveries older than this are pruned (GitHub keeps them 3 days). */
  retentionMs: number;
  /** Bytes of a target's response body kept with the delivery. */
  responseBodyLimit: number;
  /** Address ranges (CIDR) never connected to, however a target's name resolves. */
  deniedRanges: string[];
  /** Name resolution (tests inject one; default the system's). */
  lookup?: LookupFunction;
}

export const defaultDeliverySettings: DeliverySettings = {
  concurrency: 64,
  timeoutMs: 10_000,
  pollMs: 250,
  leaseMs: 60_000,
  retentionMs: 3 * 24 * 60 * 60 * 1000,
  responseBodyLimit: 64 * 1024,
  // Link-local: cloud metadata endpoints live there. Loopback and private ranges stay allowed (self-hosted, as GHES).
  deniedRanges: ['169.254.0.0/16', 'fe80::/10'],
};

const USER_AGENT = 'GitHub-Hookshot/orghub';
const PRUNE_INTERVAL_MS = 60_000;
/**
 * The most rows one step claims or records on SQLite, and the sends one step launches: the engine works in small steps and
 * lets the event loop take its I/O between them (`nextTurn`), so a request that arrives while deliveries are being
 * sent waits for one step at most, not for a whole batch.
 */
const STEP_ROWS = 16;
const LAUNCHES_PER_STEP = 2;

function blockListOf(ranges: string[]): BlockList {
  const list = new BlockList();
  for (const range of ranges) {
    const [address, prefix] = range.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    list.addSubnet(address, Number(prefix ?? (family === 'ipv6' ? 128 : 32)), family);
  }
  return list;
}

/** Why a target is refused, or undefined when it may be connected to. */
class RefusedTarget extends Error {}

/**
 * Sends the deliveries recorded in `hook_deliveries` (src/events/webhooks.ts writes them with each change): claims a
 * batch in the database, so with several processes each delivery is sent by one, posts each to its target with
 * GitHub's headers and signatures, and records the attempt. Nothing lives only here: a process that dies leaves its
 * unsent deliveries in the table, sent after a restart (or by another process once their claim lapses).
 */
export class DeliveryEngine {
  private inFlight = 0;
  private pumping = false;
  /** Deliveries were recorded by a request not yet answered. */
  private expected = false;
  private again = false;
  private stopped = false;
  /** The last claim filled every free slot: more may be waiting. */
  private backlog = false;
  private pollTimer: NodeJS.Timeout | undefined;
  /** Clock time of the last pruning (the injectable clock, so a test that moves time sees retention applied). */
  private prunedAt = -Infinity;
  private readonly denied: BlockList;
  private readonly agents: { http: http.Agent; https: https.Agent };
  private idle: (() => void)[] = [];
  /** Attempts made but not yet recorded: they wait for the write under way and then go in one. */
  private unrecorded: { id: number; outcome: DeliveryOutcome; recorded: (error?: unknown) => void }[] = [];
  private recording = false;
  /** When lapsed claims were last looked for (performance.now()): they lapse after `leaseMs`, so once a poll interval will do. */
  private lapsedCheckedAt = -Infinity;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: DialectName,
    private readonly clock: Clock,
    private readonly settings: DeliverySettings,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {
    this.denied = blockListOf(settings.deniedRanges);
    const agent = { keepAlive: true, maxSockets: settings.concurrency, lookup: this.guardedLookup };
    this.agents = { http: new http.Agent(agent), https: new https.Agent(agent) };
  }

  /**
   * Rows one claim or recording takes: on SQLite a statement runs on the event loop, so STEP_ROWS; on PostgreSQL it
   * waits off the loop, so as many as there are (fewer round trips).
   */
  private get rowsPerStatement(): number {
    return this.dialect === 'sqlite' ? STEP_ROWS : this.settings.concurrency;
  }

  /** Whether this process sends at all (concurrency 0: it leaves its deliveries to other processes). */
  private get sends(): boolean {
    return this.settings.concurrency > 0;
  }

  start(): void {
    this.pollTimer = setInterval(() => {
      this.pruneWhenDue();
      this.wake();
    }, this.settings.pollMs);
    this.pollTimer.unref();
    this.wake();
  }

  /** This process recorded deliveries; they are to be sent once their request has answered (`requestAnswered`). */
  expect(): void {
    this.expected = true;
  }

  /** A request was answered (its transaction is over): send what it recorded now rather than at the next poll. */
  requestAnswered(): void {
    if (!this.expected) return;
    this.expected = false;
    this.wake();
  }

  /** Look for deliveries to send. */
  wake(): void {
    if (this.stopped || !this.sends) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    void this.pump();
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      do {
        this.again = false;
        while (!this.stopped && this.inFlight < this.settings.concurrency) {
          await nextTurn();
          const free = Math.min(this.rowsPerStatement, this.settings.concurrency - this.inFlight);
          const lapsed = performance.now() - this.lapsedCheckedAt >= this.settings.pollMs;
          if (lapsed) this.lapsedCheckedAt = performance.now();
          const rows = await claimDeliveries(this.db, this.dialect, this.clock.now().getTime(), this.settings.leaseMs, free, lapsed);
          this.backlog = rows.length === free;
          for (let i = 0; i < rows.length; i++) {
            if (i > 0 && i % LAUNCHES_PER_STEP === 0) await nextTurn();
            this.launch(rows[i]);
          }
          if (!this.backlog) break;
        }
      } while (this.again && !this.stopped);
    } catch (error) {
      this.onError(error);
    } finally {
      this.pumping = false;
    }
  }

  private launch(row: DeliveryWithPayload): void {
    this.inFlight += 1;
    void this.deliver(row)
      .catch(this.onError)
      .finally(() => {
        this.inFlight -= 1;
        if (this.inFlight === 0) for (const resolve of this.idle.splice(0)) resolve();
        // Refill a step's rows at a time: a claim per finished send would double the statements per delivery.
        if (this.backlog && (this.inFlight === 0 || this.settings.concurrency - this.inFlight >= Math.min(this.rowsPerStatement, this.settings.concurrency))) this.wake();
      });
  }

  /** Sends one delivery and records the attempt. */
  private async deliver(row: DeliveryWithPayload): Promise<void> {
    const body = row.content_type === 'json' ? row.payload : `payload=${encodeURIComponent(row.payload)}`;
    const headers: Record<string, string> = {
      Accept: '*/*',
      'Content-Type': row.content_type === 'json' ? 'application/json' : 'application/x-www-form-urlencoded',
      'User-Agent': USER_AGENT,
      'X-GitHub-Delivery': row.guid,
      'X-GitHub-Event': row.event,
      'X-GitHub-Hook-ID': String(row.hook_id),
      'X-GitHub-Hook-Installation-Target-ID': String(row.target_id),
      'X-GitHub-Hook-Installation-Target-Type': row.target_type,
    };
    if (row.secret) {
      headers['X-Hub-Signature'] = `sha1=${createHmac('sha1', row.secret).update(body).digest('hex')}`;
      headers['X-Hub-Signature-256'] = `sha256=${createHmac('sha256', row.secret).update(body).digest('hex')}`;
    }
    const started = performance.now();
    const answer = await this.post(row, headers, body);
    const outcome: DeliveryOutcome = {
      delivered_at: isoSeconds(this.clock.now()),
      duration: Math.round(performance.now() - started) / 1000,
      status: answer.status,
      status_code: answer.statusCode,
      request_headers: JSON.stringify(headers),
      response_headers: answer.headers ? JSON.stringify(answer.headers) : null,
      response_body: answer.body ?? null,
    };
    await this.record(row.id, outcome);
  }

  /** Records an attempt with the others made by the next turn of the event loop or while a write is under way (one commit for many sends). */
  private record(id: number, outcome: DeliveryOutcome): Promise<void> {
    return new Promise((resolve, reject) => {
      this.unrecorded.push({ id, outcome, recorded: (error) => (error === undefined ? resolve() : reject(error)) });
      if (!this.recording) void this.recordAttempts();
    });
  }

  private async recordAttempts(): Promise<void> {
    this.recording = true;
    while (this.unrecorded.length > 0) {
      await nextTurn();
      const batch = this.unrecorded.splice(0, this.rowsPerStatement);
      const failure = await completeDeliveries(this.db, this.dialect, batch).then(() => undefined, (error: unknown) => error ?? new Error('recording attempts failed'));
      for (const attempt of batch) attempt.recorded(failure);
    }
    this.recording = false;
  }

  private post(row: DeliveryWithPayload, headers: Record<string, string>, body: string): Promise<{ status: string; statusCode: number; headers?: object; body?: string }> {
    let url: URL;
    try {
      url = new URL(row.url);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
      const literal = url.hostname.replace(/^\[|\]$/g, '');
      if (isIP(literal)) this.check(literal);
    } catch (error) {
      return Promise.resolve({ status: error instanceof RefusedTarget ? error.message : 'Invalid URL', statusCode: 0 });
    }
    const secure = url.protocol === 'https:';
    return new Promise((resolve) => {
      let settled = false;
      const settle = (result: { status: string; statusCode: number; headers?: object; body?: string }) => {
        if (!settled) {
          settled = true;
          resolve(result);
        }
      };
      const send = (mayRetry: boolean) => {
        let answered = false;
        const request = (secure ? https : http).request(url, {
          method: 'POST',
          headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
          agent: secure ? this.agents.https : this.agents.http,
          rejectUnauthorized: row.insecure_ssl !== '1',
          timeout: this.settings.timeoutMs,
        });
        request.on('response', (response) => {
          answered = true;
          const chunks: Buffer[] = [];
          let kept = 0;
          response.on('data', (chunk: Buffer) => {
            if (kept < this.settings.responseBodyLimit) {
              chunks.push(chunk.subarray(0, this.settings.responseBodyLimit - kept));
              kept += Math.min(chunk.length, this.settings.responseBodyLimit - kept);
            }
          });
          response.on('end', () => {
            const code = response.statusCode ?? 0;
            settle({
              status: code >= 200 && code < 300 ? 'OK' : `Invalid HTTP Response: ${code}`,
              statusCode: code,
              headers: response.headers,
              body: Buffer.concat(chunks).toString('utf8'),
            });
          });
          response.on('error', () => settle({ status: 'failed to read the response', statusCode: code(response) }));
        });
        request.on('timeout', () => {
          settle({ status: 'timed out', statusCode: 0 });
          request.destroy();
        });
        request.on('error', (error: NodeJS.ErrnoException) => {
          // A kept-alive connection the target closed while it sat idle: the request never reached it (Node's remedy: once more).
          if (mayRetry && !settled && !answered && request.reusedSocket && error.code === 'ECONNRESET') return send(false);
          settle({ status: error instanceof RefusedTarget ? error.message : 'failed to connect to host', statusCode: 0 });
        });
        request.end(body);
      };
      send(true);
    });
  }

  private check(address: string): void {
    if (this.denied.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4')) {
      throw new RefusedTarget(`refused: ${address} is in a denied address range`);
    }
  }

  /** Name resolution that refuses denied addresses before any connection is made. */
  private guardedLookup: LookupFunction = (hostname, options, callback) => {
    (this.settings.lookup ?? dnsLookup)(hostname, options, (error, address, family) => {
      if (error) return callback(error, address as string, family);
      try {
        const addresses = Array.isArray(address) ? (address as LookupAddress[]).map((a) => a.address) : [address as string];
        addresses.forEach((a) => this.check(a));
      } catch (refused) {
        return callback(refused as NodeJS.ErrnoException, '', 4);
      }
      callback(null, address as string, family);
    });
  };

  private pruneWhenDue(): void {
    const now = this.clock.now().getTime();
    if (now - this.prunedAt < PRUNE_INTERVAL_MS) return;
    this.prunedAt = now;
    pruneDeliveries(this.db, isoSeconds(new Date(now - this.settings.retentionMs))).catch(this.onError);
  }

  /** Stops claiming, waits for the deliveries in flight (each bounded by the timeout), closes connections. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.pollTimer);
    while (this.pumping) await new Promise((resolve) => setTimeout(resolve, 5));
    if (this.inFlight > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}

const code = (response: http.IncomingMessage) => response.statusCode ?? 0;
