import { setTimeout as sleep } from 'node:timers/promises';
import { startBenchServer } from './child.js';
import { SequentialClient } from './http.js';

/** One webhook request as it arrived. */
export interface Receipt {
  /** When its headers arrived: epoch milliseconds (`performance.timeOrigin + performance.now()`). */
  at: number;
  guid: string;
  event: string;
  hookId: number;
  body: string;
}

export interface Receiver {
  /** The base of hook URLs (any path under it is received). */
  url: string;
  /** How many requests it has received in all. */
  count(): Promise<number>;
  /** Resolves once it has received `total` requests in all; rejects after `timeoutMs` with how many it had. */
  waitForCount(total: number, timeoutMs: number): Promise<void>;
  /** The requests received from the `from`th on, in arrival order. */
  receipts(from?: number): Promise<Receipt[]>;
  stop(): Promise<void>;
}

const POLL_MS = 20;

/** The time now as `Receipt.at` counts it: epoch milliseconds, sub-millisecond precision. */
export const epochNow = () => performance.timeOrigin + performance.now();

/** A webhook target on loopback in its own process (bench/support/receiver-server.ts) that answers 200 at once. */
export async function startReceiver(): Promise<Receiver> {
  const child = await startBenchServer('bench/support/receiver-server.ts', {});
  const control = new SequentialClient(child.url);
  const count = () => control.json<number>('GET', '/count');
  return {
    url: child.url,
    count,
    async waitForCount(total, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (let seen = await count(); seen < total; seen = await count()) {
        if (Date.now() > deadline) throw new Error(`the receiver got ${seen} of ${total} expected requests within ${timeoutMs} ms`);
        await sleep(POLL_MS);
      }
    },
    receipts: (from = 0) => control.json<Receipt[]>('GET', `/receipts?from=${from}`),
    async stop() {
      control.close();
      await child.stop();
    },
  };
}
