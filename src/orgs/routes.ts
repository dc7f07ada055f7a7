import { MAX_ID } from '../db/columns.js';
import { setLastModified } from '../http/conditional.js';
import { cachedAnswer } from '../http/response-cache.js';
import { hasAnyScope } from '../http/scopes.js';
import { orgOf, type Operation } from '../http/operation.js';
import { perPageOnly, setSinceLink } from '../http/pagination.js';
import { isOwner } from './access.js';
import { organizationFull, organizationSimple, PUBLIC_VIEW_COUNTS, type OrgCounts } from './present.js';
import { updateOrg, type OrgUpdate } from './service.js';
import { listOrgsSince } from './store.js';
import type { FastifyRequest } from 'fastify';
import type { Account } from '../accounts/store.js';
import type { Kysely } from 'kysely';
import { precompiled } from '../db/prepared.js';
import type { Database } from '../db/schema.js';
import { PENDING_INVITATIONS_COUNTER } from '../invitations/store.js';
import { OUTSIDE_COLLABORATORS_COUNTER } from '../outside-collaborators/store.js';

/** `orgs/list`: GET /organizations, paged only by the `since` cursor. */
const list: Operation = {
  operationId: 'orgs/list',
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

// The counters the private part shows, in one read: outside collaborators (src/outside-collaborators), members and
// pending invitations (together the seats GitHub bills: members plus the invitations that will become members).
const selectPrivateCounters = precompiled((db, orgId: number) =>
  db
    .selectFrom('org_counters')
    .select(['name', 'value'])
    .where('org_id', '=', orgId)
    .where('name', 'in', [OUTSIDE_COLLABORATORS_COUNTER, 'members', PENDING_INVITATIONS_COUNTER]),
);

async function readPrivateCounts(db: Kysely<Database>, orgId: number): Promise<OrgCounts> {
  const value = new Map((await selectPrivateCounters(db, orgId)).map((row) => [row.name, Number(row.value)]));
  return {
    collaborators: value.get(OUTSIDE_COLLABORATORS_COUNTER) ?? 0,
    filledSeats: (value.get('members') ?? 0) + (value.get(PENDING_INVITATIONS_COUNTER) ?? 0),
  };
}

async function presentFull(request: FastifyRequest, org: Account, showPrivate: boolean, cached = false) {
  const { db, readCache } = request.server.ctx;
  const read = () => readPrivateCounts(db, org.id);
  const counts = !showPrivate ? PUBLIC_VIEW_COUNTS : cached ? await readCache.get(`private-counts:${org.id}`, read) : await read();
  return organizationFull(request.urls, org, { showPrivate, version: request.apiVersion, counts });
}

/** `orgs/get`: GET /orgs/{org}; private fields only for owners whose token has read:org or admin:org. */
const get: Operation = {
  operationId: 'orgs/get',
  acceptedScopes: ['admin:org', 'read:org', 'write:org'],
  // The hottest read: the org, the caller's role and the collaborators counter come from the read cache.
  readCache: true,
  async handler(request, reply) {
    const access = orgOf(request);
    const showPrivate = isOwner(access) && hasAnyScope(access.caller!.effective, ['read:org']);
    setLastModified(reply, access.org.updated_at);
    // The body's URLs follow the request's prefix when no base URL is configured: the base is part of the key.
    const key = `orgs/get:${access.org.id}:${access.org.updated_at}:${showPrivate ? "private" : "public"}:${request.apiVersion}:${request.urls.api}`;
    return cachedAnswer(request, reply, key, () => presentFull(request, access.org, showPrivate, true));
  },
};

/** `orgs/update`: PATCH /orgs/{org}, owners with `admin:org` or `repo`. */
const update: Operation = {
  operationId: 'orgs/update',
  authenticated: true,
  acceptedScopes: ['admin:org', 'repo'],
  enforceScopes: true,
  orgRole: 'owner',
  resource: 'Organization',
  async handler(request) {
    const access = orgOf(request);
    const updated = await updateOrg(request.server.ctx, access.org, request.caller!, (request.body ?? {}) as OrgUpdate);
    return presentFull(request, updated, true);
  },
};

export const orgOperations: Operation[] = [list, get, update];
