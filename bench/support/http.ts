import http from 'node:http';
import { performance } from 'node:perf_hooks';

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** Milliseconds from sending the request to the last byte of the answer. */
  ms: number;
}

/** Keep-alive connections to one server, at most `sockets` at once; requests beyond that wait for a free one. */
export class KeepAliveClient {
  private agent: http.Agent;

  constructor(
    private base: string,
    private headers: Record<string, string> = {},
    sockets = 1,
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  }

  request(method: string, path: string, body?: unknown): Promise<Answer> {
    const url = new URL(path, this.base);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string | number> = { accept: 'application/vnd.github+json', ...this.headers };
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = payload.length;
    }
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const req = http.request(url, { method, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), ms: performance.now() - started }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** A request that must answer `expected`. */
  async expect(method: string, path: string, body: unknown, expected: number): Promise<Answer> {
    const answer = await this.request(method, path, body);
    if (answer.status !== expected) throw new Error(`${method} ${path} answered ${answer.status}: ${answer.body.toString().slice(0, 300)}`);
    return answer;
  }

  /** The parsed JSON of a request that must answer `expected`. */
  async json<T = any>(method: string, path: string, body?: unknown, expected = 200): Promise<T> {
    return JSON.parse((await this.expect(method, path, body, expected)).body.toString()) as T;
  }

  close(): void {
    this.agent.destroy();
  }
}

/** One keep-alive connection used strictly in sequence: what a script's single Octokit would see, without load. */
export class SequentialClient extends KeepAliveClient {
  constructor(base: string, headers: Record<string, string> = {}) {
    super(base, headers, 1);
  }
}

/** Runs `task(0)` … `task(count - 1)`, at most `limit` at a time. */
export async function inParallel(count: number, limit: number, task: (index: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
}

/** Percentile of already sorted values (nearest rank). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
