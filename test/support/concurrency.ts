import assert from 'node:assert/strict';

/** Helpers of the tests that fire many requests at once. */

/** A small deterministic PRNG (mulberry32), so the interleaving asked for is the same on every run. */
export function seededRandom(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffle<T>(items: T[], next: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The answer of every request sent through `send`: its status, Octokit's thrown errors (4xx, 5xx) included; a
 * request that got no answer at all is recorded by its error message.
 */
export class AnswerLog {
  readonly answers: (number | string)[] = [];

  async send(request: () => Promise<{ status: number }>): Promise<void> {
    try {
      this.answers.push((await request()).status);
    } catch (error) {
      const status = (error as { status?: unknown }).status;
      this.answers.push(typeof status === 'number' ? status : String(error));
    }
  }

  /** `{"200":12,"404":3}`, for assertion messages. */
  histogram(): string {
    return JSON.stringify(this.answers.reduce((m: Record<string, number>, a) => ({ ...m, [a]: (m[a] ?? 0) + 1 }), {}));
  }

  /** Every answer is one of `documented` (never a server error, never a dropped connection), most of them a success. */
  assertDocumented(documented: number[]): void {
    const unexpected = this.answers.filter((a) => typeof a !== 'number' || !documented.includes(a));
    assert.deepEqual(unexpected, [], `only documented answers, never a server error: ${this.histogram()}`);
    const successes = this.answers.filter((a) => typeof a === 'number' && a < 300).length;
    assert.ok(successes >= this.answers.length / 2, `most of the work went through: ${this.histogram()}`);
  }
}

/** Reads `read` over and over (every few ms) until `stop` is called, which resolves with every reading. */
export function sampleWhileRunning<T>(read: () => Promise<T>): { stop(): Promise<T[]> } {
  const samples: T[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      samples.push(await read());
      await sleep(5);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return samples;
    },
  };
}
