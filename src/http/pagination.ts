import type { FastifyReply, FastifyRequest } from 'fastify';
import { invalidField } from './errors.js';

export interface PageRequest {
  page: number;
  perPage: number;
  offset: number;
}

export const DEFAULT_PER_PAGE = 30;
export const MAX_PER_PAGE = 100;
/** A page further than this holds no rows; capping keeps OFFSET an integer both stores accept (page=1e20 is an empty page, not a 500). */
const MAX_OFFSET = Number.MAX_SAFE_INTEGER;

function positiveInteger(raw: unknown, field: string, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isInteger(value) || value < 0) throw invalidField('Request', field, 'invalid', `${field} must be a positive integer`);
  return value;
}

/** `page`/`per_page` as GitHub reads them: defaults 1 and 30, per_page capped at 100, 0 taken as the default. */
export function readPage(query: Record<string, unknown>): PageRequest {
  const page = positiveInteger(query.page, 'page', 1) || 1;
  const perPage = Math.min(positiveInteger(query.per_page, 'per_page', DEFAULT_PER_PAGE) || DEFAULT_PER_PAGE, MAX_PER_PAGE);
  return { page, perPage, offset: Math.min((page - 1) * perPage, MAX_OFFSET) };
}

export function perPageOnly(query: Record<string, unknown>): number {
  return readPage({ per_page: query.per_page }).perPage;
}

/** The request's own URL on the public base, with some query parameters replaced. */
export function selfLink(request: FastifyRequest, replace: Record<string, string | number>): string {
  const url = new URL(request.url, 'http://placeholder');
  for (const [key, value] of Object.entries(replace)) url.searchParams.set(key, String(value));
  return `${request.urls.api}${url.pathname}${url.search}`;
}

/**
 * RFC 8288 `Link` for page-numbered lists: prev/next/last/first, omitting what does not apply, as GitHub does.
 * `extent` is the list's total, or — for a list whose length is unknown without counting — whether a next page
 * exists, in which case `last` is left out.
 */
export function setPageLinks(request: FastifyRequest, reply: FastifyReply, page: PageRequest, extent: number | { hasNext: boolean }): void {
  const last = typeof extent === 'number' ? Math.max(1, Math.ceil(extent / page.perPage)) : undefined;
  const hasNext = last === undefined ? (extent as { hasNext: boolean }).hasNext : page.page < last;
  const links: string[] = [];
  const link = (p: number, rel: string) => links.push(`<${selfLink(request, { per_page: page.perPage, page: p })}>; rel="${rel}"`);
  if (page.page > 1) link(last === undefined ? page.page - 1 : Math.min(page.page - 1, last), 'prev');
  if (hasNext) link(page.page + 1, 'next');
  if (hasNext && last !== undefined) link(last, 'last');
  if (page.page > 1) link(1, 'first');
  if (links.length) reply.header('Link', links.join(', '));
}

/** `Link: <…?per_page=N&since=ID>; rel="next"` for `since`-cursor lists, given whether more rows follow. */
export function setSinceLink(request: FastifyRequest, reply: FastifyReply, perPage: number, lastId: number | undefined, more: boolean): void {
  if (more && lastId !== undefined) setNextLink(request, reply, { per_page: perPage, since: lastId });
}

/** `Link: <…?per_page=N&cursor=…>; rel="next"` for lists paged by an opaque cursor, when more rows follow. */
export function setCursorLink(request: FastifyRequest, reply: FastifyReply, perPage: number, next: string | undefined): void {
  if (next !== undefined) setNextLink(request, reply, { per_page: perPage, cursor: next });
}

function setNextLink(request: FastifyRequest, reply: FastifyReply, replace: Record<string, string | number>): void {
  reply.header('Link', `<${selfLink(request, replace)}>; rel="next"`);
}
