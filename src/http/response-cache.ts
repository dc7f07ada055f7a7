import type { FastifyReply, FastifyRequest } from 'fastify';

interface CachedAnswer {
  body: Buffer;
  etag: string;
}

/**
 * The serialized body and ETag of a hot GET answer, kept in the read cache under `key` (so with its window and its
 * invalidation by every write): serialization runs once per window instead of once per request.
 * `key` must name everything the body depends on besides the cached reads (the caller's view, the API version …);
 * `build` gives the body and its ETag, which names every input of the body (a version, not a hash of the bytes).
 */
export function cachedAnswer(
  request: FastifyRequest,
  reply: FastifyReply,
  key: string,
  build: () => { body: unknown; etag: string },
): Buffer | Promise<Buffer> {
  const send = (answer: CachedAnswer) => {
    reply.header('ETag', answer.etag).type('application/json; charset=utf-8');
    return answer.body;
  };
  const answer = request.server.ctx.readCache.get<CachedAnswer>(key, () => {
    const { body, etag } = build();
    // Bytes, even when the cache keeps nothing: Fastify then needs no byte count of a string, and Node no second encoding.
    return { body: Buffer.from(reply.serialize(body) as string), etag };
  });
  return answer instanceof Promise ? answer.then(send) : send(answer);
}
