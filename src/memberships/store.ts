import { sql, type Kysely } from 'kysely';
import type { Account } from '../accounts/store.js';
import type { Database, MembershipTable } from '../db/schema.js';
import { precompiled } from '../db/prepared.js';

export type MembershipRole = MembershipTable['role'];
export type MembershipState = MembershipTable['state'];
export interface MembershipRow {
  org_id: number;
  user_id: number;
  role: MembershipRole;
  state: MembershipState;
  public: 0 | 1;
  created_at: string;
  updated_at: string;
}

/**
 * Counters kept in `org_counters` with every membership change, so list endpoints know their last page
 * without counting rows (a page's cost must not grow with the org's size).
 * - `members`: active members and owners (billing managers are not members)
 * - `admins`: active owners
 * - `public_members`: active members who publicized their membership
 */
export type CounterName = 'members' | 'admins' | 'public_members';

function countersOf(row: Pick<MembershipRow, 'role' | 'state' | 'public'> | undefined): Record<CounterName, number> {
  const active = row?.state === 'active';
  const member = active && row.role !== 'billing_manager';
  return {
    members: member ? 1 : 0,
    admins: active && row.role === 'admin' ? 1 : 0,
    public_members: member && row.public === 1 ? 1 : 0,
  };
}

export async function bumpCounter(db: Kysely<Database>, orgId: number, name: CounterName | string, delta: number): Promise<void> {
  if (delta === 0) return;
  await db
    .insertInto('org_counters')
    .values({ org_id: orgId, name, value: delta })
    .onConflict((oc) => oc.columns(['org_id', 'name']).doUpdateSet((eb) => ({ value: eb('org_counters.value', '+', delta) })))
    .execute();
}

// Compiled once: list pages and GET /orgs/{org} read a counter on every request.
const selectCounter = precompiled((db, orgId: number, name: string) =>
  db.selectFrom('org_counters').select('value').where('org_id', '=', orgId).where('name', '=', name),
);

export async function readCounter(db: Kysely<Database>, orgId: number, name: CounterName | string): Promise<number> {
  const [row] = await selectCounter(db, orgId, name);
  return row ? Number(row.value) : 0;
}

/** Applies the counter difference between a membership before and after a change. */
async function adjustCounters(db: Kysely<Database>, orgId: number, before: MembershipRow | undefined, after: Pick<MembershipRow, 'role' | 'state' | 'public'> | undefined) {
  const a = countersOf(before);
  const b = countersOf(after);
  for (const name of Object.keys(a) as CounterName[]) await bumpCounter(db, orgId, name, b[name] - a[name]);
}

// Compiled once: membership reads and writes, and checks on every route that looks at a member, start here.
const selectMembership = precompiled((db, orgId: number, userId: number) =>
  db.selectFrom('memberships').selectAll().where('org_id', '=', orgId).where('user_id', '=', userId),
);

export async function getMembership(db: Kysely<Database>, orgId: number, userId: number): Promise<MembershipRow | undefined> {
  const [row] = await selectMembership(db, orgId, userId);
  return row;
}

// Compiled once: GET /orgs/{org}/memberships/{username} reads both together.
const selectAccountWithMembership = precompiled((db, orgId: number, loginLower: string) =>
  db
    .selectFrom('accounts as a')
    .leftJoin('memberships as m', (join) => join.onRef('m.user_id', '=', 'a.id').on('m.org_id', '=', orgId))
    .selectAll('a')
    .select(['m.role as m_role', 'm.state as m_state', 'm.public as m_public'])
    .where('a.login_lower', '=', loginLower),
);

/** An account and its membership record in an org, if any. */
export interface AccountWithMembership {
  account: Account;
  membership: Pick<MembershipRow, 'role' | 'state' | 'public'> | undefined;
}

/** The account with this login (case-insensitive) and its membership record in the org, if any, in one statement. */
export async function findAccountWithMembership(db: Kysely<Database>, orgId: number, login: string): Promise<AccountWithMembership | undefined> {
  const [row] = await selectAccountWithMembership(db, orgId, login.toLowerCase());
  if (!row) return undefined;
  const membership = row.m_role && row.m_state && row.m_public !== null ? { role: row.m_role, state: row.m_state, public: row.m_public } : undefined;
  return { account: row, membership };
}

/**
 * Creates or replaces the one membership record of (org, user), keeping counters in step. `before`: the record as the
 * caller read it in the same transaction (null: there is none); read here when absent.
 */
export async function putMembership(
  db: Kysely<Database>,
  input: { orgId: number; userId: number; role: MembershipRole; state: MembershipState; public?: boolean; now: string; before?: MembershipRow | null },
): Promise<MembershipRow> {
  const before = input.before === undefined ? await getMembership(db, input.orgId, input.userId) : (input.before ?? undefined);
  const values = {
    role: input.role,
    state: input.state,
    public: (input.public ?? before?.public === 1) ? 1 : 0,
    updated_at: input.now,
  } as const;
  const row = before
    ? await db
        .updateTable('memberships')
        .set(values)
        .where('org_id', '=', input.orgId)
        .where('user_id', '=', input.userId)
        .returningAll()
        .executeTakeFirstOrThrow()
    : await db
        .insertInto('memberships')
        .values({ org_id: input.orgId, user_id: input.userId, created_at: input.now, ...values })
        .returningAll()
        .executeTakeFirstOrThrow();
  await adjustCounters(db, input.orgId, before, row);
  return row;
}

/** Deletes the membership record (active or pending), keeping counters in step; returns what was removed. */
export async function deleteMembership(db: Kysely<Database>, orgId: number, userId: number): Promise<MembershipRow | undefined> {
  const before = await getMembership(db, orgId, userId);
  if (!before) return undefined;
  await db.deleteFrom('memberships').where('org_id', '=', orgId).where('user_id', '=', userId).execute();
  await adjustCounters(db, orgId, before, undefined);
  return before;
}

/** The roles of the active memberships of `userIds` in the org, in one query (the members of a GraphQL page). */
export async function activeRoles(db: Kysely<Database>, orgId: number, userIds: number[]): Promise<Map<number, MembershipRole>> {
  if (userIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('memberships')
    .select(['user_id', 'role'])
    .where('org_id', '=', orgId)
    .where('state', '=', 'active')
    .where('user_id', 'in', userIds)
    .execute();
  return new Map(rows.map((row) => [row.user_id, row.role]));
}

/** Publicizes or conceals an active membership. */
export async function setPublic(db: Kysely<Database>, orgId: number, userId: number, isPublic: boolean, now: string): Promise<void> {
  const before = await getMembership(db, orgId, userId);
  if (!before) return;
  await putMembership(db, { orgId, userId, role: before.role, state: before.state, public: isPublic, now, before });
}

/**
 * One page of a user's memberships plus the pending invitations sent to their email address before they had an
 * account (an org counts once: a membership record wins), in org id order; pages are cut in the database.
 */
export async function listOwnMembershipPage(
  db: Kysely<Database>,
  user: { id: number; email: string | null },
  state: MembershipState | undefined,
  page: { offset: number; limit: number },
) {
  let records = db.selectFrom('memberships').select(['org_id', 'role', 'state']).where('user_id', '=', user.id);
  if (state) records = records.where('state', '=', state);
  const byEmail = db
    .selectFrom('invitations as i')
    .select([
      'i.org_id',
      // The membership an invitation's role grants (direct_member and reinstate: member).
      sql<MembershipRole>`CASE i.role WHEN 'admin' THEN 'admin' WHEN 'billing_manager' THEN 'billing_manager' ELSE 'member' END`.as('role'),
      sql<MembershipState>`'pending'`.as('state'),
    ])
    .where('i.email_lower', '=', (user.email ?? '').toLowerCase())
    .where('i.state', '=', 'pending')
    .where('i.invitee_id', 'is', null)
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('memberships as m').select('m.org_id').whereRef('m.org_id', '=', 'i.org_id').where('m.user_id', '=', user.id))),
    );
  const all = state === 'active' || !user.email ? records : records.unionAll(byEmail);
  const [rows, count] = await Promise.all([
    db
      .selectFrom(all.as('u'))
      .innerJoin('accounts', 'accounts.id', 'u.org_id')
      .select(['accounts.id', 'accounts.login', 'accounts.description', 'u.role', 'u.state'])
      .orderBy('u.org_id')
      .offset(page.offset)
      .limit(page.limit)
      .execute(),
    db.selectFrom(all.as('u')).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}
