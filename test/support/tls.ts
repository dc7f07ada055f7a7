import { Agent, request as httpsRequest } from 'node:https';

/**
 * A `fetch` that trusts `ca` (PEM) for HTTPS, as a client given the CA file would. Node 20's global fetch takes no
 * CA option (undici's Agent is not exposed), so this sends through node:https; redirects are returned, not followed.
 */
export function fetchTrusting(ca: string): typeof fetch {
  const agent = new Agent({ ca });
  return async (input, init) => {
    const request = new Request(input, init);
    const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
    return new Promise<Response>((resolve, reject) => {
      const outgoing = httpsRequest(request.url, { method: request.method, headers: Object.fromEntries(request.headers), agent }, (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('error', reject);
        incoming.on('end', () => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(incoming.headers)) {
            for (const one of Array.isArray(value) ? value : [value ?? '']) headers.append(name, one);
          }
          const status = incoming.statusCode ?? 0;
          const bodyless = status === 204 || status === 205 || status === 304;
          const response = new Response(bodyless ? null : Buffer.concat(chunks), { status, statusText: incoming.statusMessage, headers });
          // Octokit reads the URL answered; a constructed Response has none.
          Object.defineProperty(response, 'url', { value: request.url });
          resolve(response);
        });
      });
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  };
}
