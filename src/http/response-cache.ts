import type { FastifyReply, FastifyRequest } from 'fastify';
import { etagOf } from './conditional.js';

interface CachedAnswer {
  body: Buffer;
  etag: string;
}

/**
 * The serialized body and ETag of a hot GET answer, kept in the read cache under `key` (so with its window and its
 * invalidation by every write): serialization and hashing run once per window instead of once per request.
 * `key` must name everything the body depends on besides the cached reads (the caller's view, the API version …).
 */
export function cachedAnswer(request: FastifyRequest, reply: FastifyReply, key: string, build: () => Promise<unknown>): Buffer | Promise<Buffer> {
  const send = (answer: CachedAnswer) => {
    reply.header('ETag', answer.etag).type('application/json; charset=utf-8');
    return answer.body;
  };
  const answer = request.server.ctx.readCache.get<CachedAnswer>(key, async () => {
    const body = Buffer.from(reply.serialize(await build()) as string);
    return { body, etag: etagOf(body) };
  });
  return answer instanceof Promise ? answer.then(send) : send(answer);
}
