import { hash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** `ETag` for every GET answer and `304` with no body when `If-None-Match` matches, as GitHub answers. */
export function conditionalGet(request: FastifyRequest, reply: FastifyReply, payload: unknown): unknown {
  if ((request.method !== 'GET' && request.method !== 'HEAD') || reply.statusCode !== 200) return payload;
  if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return payload;
  // Callers who may see different fields get different bodies, hence different tags (GitHub sends `Vary: Authorization`).
  let etag = reply.getHeader('ETag') as string | undefined;
  if (etag === undefined) {
    etag = etagOf(payload);
    reply.header('ETag', etag);
  }
  const ifNoneMatch = request.headers['if-none-match'];
  const lastModified = reply.getHeader('Last-Modified') as string | undefined;
  const ifModifiedSince = request.headers['if-modified-since'];
  const matches = ifNoneMatch
    ? ifNoneMatch.split(',').some((tag) => weak(tag.trim()) === weak(etag) || tag.trim() === '*')
    : Boolean(ifModifiedSince && lastModified && Date.parse(lastModified) <= Date.parse(ifModifiedSince));
  if (!matches) return payload;
  reply.code(304);
  reply.removeHeader('Content-Length');
  request.notModified = true;
  return '';
}

const weak = (tag: string) => tag.replace(/^W\//, '');

/** A weak validator of the body bytes (one-shot `hash`: no Hash object per answer). */
export function etagOf(payload: string | Buffer): string {
  return `W/"${hash('sha256', payload, 'hex')}"`;
}

/** What a body is made of, one value at a time (see `etagOfParts`). */
export type TagPart = string | number | null;

/**
 * A weak validator from what a list's body is made of (the URL bases and the fields its presenter reads of each
 * row) instead of the presented bytes: hashing a page of URLs cost more than reading the page. Strings go with their
 * length and other values with a marker, so no value can run into the next. Callers must name every input of the body.
 */
export function etagOfParts(parts: readonly TagPart[]): string {
  let source = '';
  for (const part of parts) source += part === null ? '~' : typeof part === 'string' ? `${part.length}:${part}` : `=${part}`;
  return etagOf(source);
}

/** The second `httpDate` last formatted, and its text: the requests of one second share it. */
let formatted = { second: NaN, text: '' };

/** An HTTP date (`Date`'s format) of epoch milliseconds; formatting one cost more than most headers together. */
export function httpDate(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== formatted.second) formatted = { second, text: new Date(second * 1000).toUTCString() };
  return formatted.text;
}

/** `Last-Modified` from a resource's `updated_at`. */
export function setLastModified(reply: FastifyReply, updatedAt: string): void {
  reply.header('Last-Modified', new Date(updatedAt).toUTCString());
}
