import { sql, type Kysely, type SqlBool } from 'kysely';
import { NAMED_ACCOUNT_COLUMNS, namedAccountOf, type Account } from '../accounts/store.js';
import type { Database } from '../db/schema.js';
import { precompiled } from '../db/prepared.js';
import { hashToken, TOKEN_OWNER_COLUMNS, tokenOwnerOf, type TokenOwner } from '../tokens/store.js';
import { getMembership, type AccountWithMembership, type MembershipRole } from '../memberships/store.js';
import type { Caller, GrantedPermissions } from '../http/auth/index.js';
import { coversPermissions } from '../http/auth/permissions.js';
import type { RequiredPermissions } from '../http/operation.js';
import type { ReadCache } from '../http/read-cache.js';
import { hasAnyScope } from '../http/scopes.js';
import type { OrgCounts } from './present.js';
import { PENDING_INVITATIONS_COUNTER } from '../invitations/store.js';
import { OUTSIDE_COLLABORATORS_COUNTER } from '../outside-collaborators/store.js';
import { SECURITY_MANAGER_ROLE_ID } from '../organization-roles/roles.js';
import { holdsOrgRole } from '../organization-roles/store.js';
import { STORED_USER_WINDOW_JOIN } from '../ratelimit/limiter.js';

/** An organization as one caller sees it: the org row, the caller's own membership, if any, and the org's counters. */
export interface OrgAccess {
  org: Account;
  membership: { role: MembershipRole; state: 'active' | 'pending'; public: boolean } | null;
  /** The org's counters, read only for operations that show them (Operation.readsOrgCounts; take them with `countsOf`). */
  counts?: OrgCounts;
  caller: Caller | null;
  /**
   * What the caller's installation or fine-grained token may do in this org (its permissions on its resource owner,
   * none elsewhere); undefined for classic tokens, whose scopes apply instead.
   */
  permissions?: GrantedPermissions;
  /** The account the path's `{username}` names and its membership here, read with the org (Operation.readsNamedUser); null: none. */
  namedUser?: NamedUser;
}

/** The account a route's `{username}` names (with its membership in `{org}` on org routes); null when there is none. */
export type NamedUser = AccountWithMembership | null;

type Membership = OrgAccess['membership'];

/** What an installation acts as in the org it is installed on (see `seenBy`). */
const INSTALLATION_MEMBERSHIP: Membership = { role: 'admin', state: 'active', public: false };

/**
 * What `read` (of the caller's user) shows the caller's token: the org as that token sees it. Classic tokens: the user's own membership. A token with permissions acts
 * only on its resource owner: in any other org it holds no permissions and is an outsider. An installation in its
 * own org acts as an owner (so services' owner and member checks pass); its permissions, checked per operation
 * (src/http/operation.ts), bound what it may do. A fine-grained token keeps its user's membership: both must allow.
 */
export function seenBy(read: OrgRead, caller: Caller | null): OrgAccess {
  const { org, membership, counts, namedUser } = read;
  const permissions = caller?.permissions;
  if (!permissions) return { org, membership, counts, caller, namedUser };
  if (caller.resourceOwnerId !== org.id) return { org, membership: null, counts, caller, permissions: {}, namedUser };
  return { org, membership: caller.installation ? INSTALLATION_MEMBERSHIP : membership, counts, caller, permissions, namedUser };
}

/** What an org read brings besides the org and the caller's membership: the account a route's `{username}` names, the counters. */
export interface OrgReadOptions {
  /** The login of the account to read with its membership (NamedUser; Operation.readsNamedUser). */
  named?: string;
  /** Read the org's counters (Operation.readsOrgCounts). */
  counts?: boolean;
}

/**
 * The org by lower-cased login and the membership in it of `member` (a user id, or the user of the token with this
 * hash, whose owner is then read too), each a primary-key lookup, in one statement: it runs before every org route.
 * With `namedLower`, also the account of that login and its membership (NamedUser); with `counts`, the org's
 * counters. No row when the org, or the token, is not found.
 */
function orgAccessQuery(
  db: Kysely<Database>,
  loginLower: string,
  member: { userId: number } | { tokenHash: string },
  { namedLower, counts }: { namedLower?: string; counts: boolean },
) {
  const byToken = 'tokenHash' in member;
  return db
    .selectFrom('accounts as o')
    .$if(byToken, (query) =>
      query
        .innerJoin('tokens as t', (join) => join.on('t.token_hash', '=', (member as { tokenHash: string }).tokenHash))
        .innerJoin('accounts as u', 'u.id', 't.user_id')
        .leftJoin('rate_limits as rl', (join) => join.on(STORED_USER_WINDOW_JOIN))
        .select(TOKEN_OWNER_COLUMNS),
    )
    .$if(namedLower !== undefined, (query) =>
      query
        .leftJoin('accounts as n', (join) => join.on('n.login_lower', '=', namedLower!))
        .leftJoin('memberships as nm', (join) => join.onRef('nm.org_id', '=', 'o.id').onRef('nm.user_id', '=', 'n.id'))
        .select(NAMED_ACCOUNT_COLUMNS)
        .select(['nm.role as nm_role', 'nm.state as nm_state', 'nm.public as nm_public']),
    )
    .leftJoin('memberships as m', (join) =>
      join.onRef('m.org_id', '=', 'o.id').on(sql<SqlBool>`${sql.ref('m.user_id')} = ${byToken ? sql.ref('t.user_id') : (member as { userId: number }).userId}`),
    )
    .$if(counts, (query) =>
      query
        .leftJoin('org_counters as collaborators', (join) =>
          join.onRef('collaborators.org_id', '=', 'o.id').on('collaborators.name', '=', OUTSIDE_COLLABORATORS_COUNTER),
        )
        .leftJoin('org_counters as members', (join) => join.onRef('members.org_id', '=', 'o.id').on('members.name', '=', 'members'))
        .leftJoin('org_counters as invitations', (join) =>
          join.onRef('invitations.org_id', '=', 'o.id').on('invitations.name', '=', PENDING_INVITATIONS_COUNTER),
        )
        .select(['collaborators.value as c_collaborators', 'members.value as c_members', 'invitations.value as c_invitations']),
    )
    .selectAll('o')
    .select(['m.role as m_role', 'm.state as m_state', 'm.public as m_public'])
    .where('o.login_lower', '=', loginLower)
    .where('o.type', '=', 'Organization');
}

/** Each shape of the statement compiled once, by whether it reads the counters (index 1) or not (index 0). */
const byCounts = <T>(make: (counts: boolean) => T): [T, T] => [make(false), make(true)];
const selectOrgAccess = byCounts((counts) => precompiled((db, userId: number, loginLower: string) => orgAccessQuery(db, loginLower, { userId }, { counts })));
const selectOrgAccessNaming = byCounts((counts) =>
  precompiled((db, userId: number, loginLower: string, namedLower: string) => orgAccessQuery(db, loginLower, { userId }, { namedLower, counts })),
);
const selectOrgAccessWithTokenOwner = byCounts((counts) =>
  precompiled((db, tokenHash: string, loginLower: string) => orgAccessQuery(db, loginLower, { tokenHash }, { counts })),
);
const selectOrgAccessWithTokenOwnerNaming = byCounts((counts) =>
  precompiled((db, tokenHash: string, loginLower: string, namedLower: string) => orgAccessQuery(db, loginLower, { tokenHash }, { namedLower, counts })),
);

/** The org and a user's own membership in it (with the counters and the named user where read), whatever token the user calls with. */
export type OrgRead = Omit<OrgAccess, 'caller' | 'permissions'>;

/** One query: the org by login (case-insensitive) and the caller's membership in it (with what `options` asks for). */
export async function loadOrgAccess(db: Kysely<Database>, login: string, caller: Caller | null, options: OrgReadOptions = {}): Promise<OrgAccess | undefined> {
  const found = await readOrgAccess(db, login, caller?.userId ?? -1, options);
  return found && seenBy(found, caller);
}

async function readOrgAccess(db: Kysely<Database>, login: string, userId: number, { named, counts }: OrgReadOptions): Promise<OrgRead | undefined> {
  const loginLower = login.toLowerCase();
  const shape = Number(counts === true);
  const [row] = named === undefined
    ? await selectOrgAccess[shape](db, userId, loginLower)
    : await selectOrgAccessNaming[shape](db, userId, loginLower, named.toLowerCase());
  return row && orgReadOf(row);
}

/**
 * The token's owner and the org read as that user sees it (with what `options` asks for), in one statement: what a
 * request to an org route with a token this process has not cached needs first. Undefined when the org or the token is not found.
 */
export async function readOrgAccessWithTokenOwner(
  db: Kysely<Database>,
  token: string,
  login: string,
  { named, counts }: OrgReadOptions,
): Promise<{ owner: TokenOwner; read: OrgRead } | undefined> {
  const tokenHash = hashToken(token);
  const loginLower = login.toLowerCase();
  const shape = Number(counts === true);
  const [row] = named === undefined
    ? await selectOrgAccessWithTokenOwner[shape](db, tokenHash, loginLower)
    : await selectOrgAccessWithTokenOwnerNaming[shape](db, tokenHash, loginLower, named.toLowerCase());
  // `$if` types the token's columns as optional; the inner joins make them present in every row.
  return row && { owner: tokenOwnerOf(row as Required<typeof row>), read: orgReadOf(row) };
}

type OrgAccessRow = Awaited<ReturnType<(typeof selectOrgAccessNaming)[1]>>[number];

function orgReadOf(row: OrgAccessRow): OrgRead {
  const read: OrgRead = {
    org: accountOf(row),
    membership: row.m_role && row.m_state ? { role: row.m_role, state: row.m_state, public: row.m_public === 1 } : null,
  };
  // Each read only where the statement joined it (its columns are then present, null when no row matched).
  if ('c_members' in row) {
    read.counts = { collaborators: Number(row.c_collaborators ?? 0), filledSeats: Number(row.c_members ?? 0) + Number(row.c_invitations ?? 0) };
  }
  if ('n_id' in row) read.namedUser = namedUserOf(row as Required<OrgAccessRow>);
  return read;
}

/** The org's counters, which an operation that shows them declares it reads (Operation.readsOrgCounts). */
export function countsOf(access: OrgAccess): OrgCounts {
  if (!access.counts) throw new Error('the org was read without its counters: the operation must declare readsOrgCounts');
  return access.counts;
}

function namedUserOf(row: Required<OrgAccessRow>): NamedUser {
  const account = namedAccountOf(row);
  if (!account) return null;
  const membership = row.nm_role && row.nm_state && row.nm_public !== null ? { role: row.nm_role, state: row.nm_state, public: row.nm_public } : undefined;
  return { account, membership };
}

/**
 * `loadOrgAccess` through the process's read cache, for GET routes that accept its staleness (Operation.readCache),
 * with the counters. Keyed by user, not token: the caller and what its token sees are attached afresh.
 */
export function loadOrgAccessCached(
  cache: ReadCache,
  db: Kysely<Database>,
  login: string,
  caller: Caller | null,
): OrgAccess | undefined | Promise<OrgAccess | undefined> {
  const withCaller = (found: OrgRead | undefined) => found && seenBy(found, caller);
  const found = cache.get(`org:${login.toLowerCase()}:${caller?.userId ?? 0}`, () => readOrgAccess(db, login, caller?.userId ?? -1, { counts: true }));
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

/**
 * An owner of the org, or a member holding the predefined `security_manager` role directly or through a team: who may
 * run security campaigns and read every repository's code scanning alerts. Owners are answered without a query.
 */
export async function managesSecurity(db: Kysely<Database>, access: OrgAccess): Promise<boolean> {
  if (isOwner(access)) return true;
  if (!access.caller || !isMember(access)) return false;
  return holdsOrgRole(db, access.org.id, access.caller.userId, SECURITY_MANAGER_ROLE_ID);
}

/**
 * Whether the caller's token allows what `scopes` allow a classic token (which must hold one of them). A token with
 * permissions had the operation's own permissions checked already; `beyond` is what it needs on top of those.
 */
export function tokenAllows(access: OrgAccess, scopes: readonly string[], beyond: RequiredPermissions = {}): boolean {
  if (access.permissions) return coversPermissions(access.permissions, beyond);
  return access.caller !== null && hasAnyScope(access.caller.effective, scopes);
}

/** `managesSecurity` for any user of the org (a campaign's managers): an active owner, or a security manager. */
export async function userManagesSecurity(db: Kysely<Database>, orgId: number, userId: number): Promise<boolean> {
  const membership = await getMembership(db, orgId, userId);
  if (membership?.state !== 'active') return false;
  return membership.role === 'admin' || holdsOrgRole(db, orgId, userId, SECURITY_MANAGER_ROLE_ID);
}

/** An active member or owner (billing managers are not members, as on GitHub). */
export function isMember(access: OrgAccess): boolean {
  return access.membership?.state === 'active' && access.membership.role !== 'billing_manager';
}
