import type { Kysely } from 'kysely';
import type { Account } from '../accounts/store.js';
import type { Database } from '../db/schema.js';
import { precompiled } from '../db/prepared.js';
import type { MembershipRole } from '../memberships/store.js';
import type { Caller } from '../http/auth.js';
import type { ReadCache } from '../http/read-cache.js';
import type { OrgCounts } from './present.js';
import { PENDING_INVITATIONS_COUNTER } from '../invitations/store.js';
import { OUTSIDE_COLLABORATORS_COUNTER } from '../outside-collaborators/store.js';

/** An organization as one caller sees it: the org row, the caller's own membership, if any, and the org's counters. */
export interface OrgAccess {
  org: Account;
  membership: { role: MembershipRole; state: 'active' | 'pending'; public: boolean } | null;
  counts: OrgCounts;
  caller: Caller | null;
}

/**
 * The org by lower-cased login, `userId`'s membership in it and its counters (each a primary-key lookup), in one
 * statement: it runs before every org route. Compiled once.
 */
const selectOrgAccess = precompiled((db, userId: number, loginLower: string) =>
  db
    .selectFrom('accounts as o')
    .leftJoin('memberships as m', (join) => join.onRef('m.org_id', '=', 'o.id').on('m.user_id', '=', userId))
    .leftJoin('org_counters as collaborators', (join) =>
      join.onRef('collaborators.org_id', '=', 'o.id').on('collaborators.name', '=', OUTSIDE_COLLABORATORS_COUNTER),
    )
    .leftJoin('org_counters as members', (join) => join.onRef('members.org_id', '=', 'o.id').on('members.name', '=', 'members'))
    .leftJoin('org_counters as invitations', (join) =>
      join.onRef('invitations.org_id', '=', 'o.id').on('invitations.name', '=', PENDING_INVITATIONS_COUNTER),
    )
    .selectAll('o')
    .select(['m.role as m_role', 'm.state as m_state', 'm.public as m_public'])
    .select(['collaborators.value as c_collaborators', 'members.value as c_members', 'invitations.value as c_invitations'])
    .where('o.login_lower', '=', loginLower)
    .where('o.type', '=', 'Organization'),
);

/** One query: the org by login (case-insensitive), the caller's membership in it and its counters. */
export async function loadOrgAccess(db: Kysely<Database>, login: string, caller: Caller | null): Promise<OrgAccess | undefined> {
  const [row] = await selectOrgAccess(db, caller?.userId ?? -1, login.toLowerCase());
  if (!row) return undefined;
  return {
    org: accountOf(row),
    membership: row.m_role && row.m_state ? { role: row.m_role, state: row.m_state, public: row.m_public === 1 } : null,
    counts: {
      collaborators: Number(row.c_collaborators ?? 0),
      filledSeats: Number(row.c_members ?? 0) + Number(row.c_invitations ?? 0),
    },
    caller,
  };
}

/**
 * `loadOrgAccess` through the process's read cache, for GET routes that accept its staleness (Operation.readCache).
 * Keyed by caller, not token: the caller (with this token's scopes) is attached afresh.
 */
export function loadOrgAccessCached(
  cache: ReadCache,
  db: Kysely<Database>,
  login: string,
  caller: Caller | null,
): OrgAccess | undefined | Promise<OrgAccess | undefined> {
  const withCaller = (found: OrgAccess | undefined) => found && { org: found.org, membership: found.membership, counts: found.counts, caller };
  const found = cache.get(`org:${login.toLowerCase()}:${caller?.userId ?? 0}`, () => loadOrgAccess(db, login, caller));
  return found instanceof Promise ? found.then(withCaller) : withCaller(found);
}

/** The account columns of a joined row, as a literal: rest destructuring (`{ m_role, ...org }`) is slow on this hot path. */
function accountOf(row: Account): Account {
  return {
    id: row.id,
    login: row.login,
    login_lower: row.login_lower,
    type: row.type,
    name: row.name,
    email: row.email,
    company: row.company,
    blog: row.blog,
    location: row.location,
    bio: row.bio,
    twitter_username: row.twitter_username,
    description: row.description,
    site_admin: row.site_admin,
    two_factor: row.two_factor,
    suspended: row.suspended,
    saml_sso_enforced: row.saml_sso_enforced,
    settings: row.settings,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

/** An active owner of the org. */
export function isOwner(access: OrgAccess): boolean {
  return access.membership?.state === 'active' && access.membership.role === 'admin';
}

/** An active member or owner (billing managers are not members, as on GitHub). */
export function isMember(access: OrgAccess): boolean {
  return access.membership?.state === 'active' && access.membership.role !== 'billing_manager';
}
