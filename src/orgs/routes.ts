import { MAX_ID } from '../db/columns.js';
import { setLastModified } from '../http/conditional.js';
import { cachedAnswer } from '../http/response-cache.js';
import { orgOf, type Operation } from '../http/operation.js';
import { perPageOnly, setSinceLink } from '../http/pagination.js';
import { countsOf, isOwner, tokenAllows } from './access.js';
import { organizationFull, organizationFullWithTag, organizationSimple, PUBLIC_VIEW_COUNTS, type OrgCounts } from './present.js';
import { updateOrg, type OrgUpdate } from './service.js';
import { listOrgsSince } from './store.js';
import type { FastifyRequest } from 'fastify';

/** `orgs/list`: GET /organizations, paged only by the `since` cursor. */
const list: Operation = {
  operationId: 'orgs/list',
  permissions: {},
  async handler(request, reply) {
    const query = request.query as { since?: number };
    const perPage = perPageOnly(request.query as Record<string, unknown>);
    // `since` is an id: below 1 lists from the start, beyond the largest storable id lists nothing (never an overflow).
    const since = Math.min(Math.max(query.since ?? 0, 0), MAX_ID);
    const rows = await listOrgsSince(request.server.ctx.db, since, perPage + 1);
    const page = rows.slice(0, perPage);
    setSinceLink(request, reply, perPage, page.at(-1)?.id, rows.length > perPage);
    return page.map((org) => organizationSimple(request.urls, org));
  },
};

/** How `organization-full` is presented to this request: the public view shows no counts. */
const fullOptions = (request: FastifyRequest, counts: OrgCounts, showPrivate: boolean) => ({
  showPrivate,
  version: request.apiVersion,
  counts: showPrivate ? counts : PUBLIC_VIEW_COUNTS,
});

/** `orgs/get`: GET /orgs/{org}; private fields only for owners whose token has read:org or admin:org. */
const get: Operation = {
  operationId: 'orgs/get',
  permissions: {},
  acceptedScopes: ['admin:org', 'read:org', 'write:org'],
  // The hottest read: the org, the caller's role and the counters (one statement) come from the read cache.
  readCache: true,
  readsOrgCounts: true,
  async handler(request, reply) {
    const access = orgOf(request);
    const showPrivate = isOwner(access) && tokenAllows(access, ['read:org'], { organization_administration: 'read' });
    setLastModified(reply, access.org.updated_at);
    // The body's URLs follow the request's prefix when no base URL is configured: the base is part of the key.
    const key = `orgs/get:${access.org.id}:${access.org.updated_at}:${showPrivate ? "private" : "public"}:${request.apiVersion}:${request.urls.api}`;
    return cachedAnswer(request, reply, key, () => organizationFullWithTag(request.urls, access.org, fullOptions(request, countsOf(access), showPrivate)));
  },
};

/** `orgs/update`: PATCH /orgs/{org}, owners with `admin:org` or `repo`. */
const update: Operation = {
  operationId: 'orgs/update',
  permissions: { organization_administration: 'write' },
  authenticated: true,
  acceptedScopes: ['admin:org', 'repo'],
  enforceScopes: true,
  orgRole: 'owner',
  resource: 'Organization',
  readsOrgCounts: true,
  async handler(request) {
    const access = orgOf(request);
    const updated = await updateOrg(request.server.ctx, access.org, request.caller!, (request.body ?? {}) as OrgUpdate);
    // A PATCH changes no counter: those read with the org still hold.
    return organizationFull(request.urls, updated, fullOptions(request, countsOf(access), true));
  },
};

export const orgOperations: Operation[] = [list, get, update];
