import type { Kysely, Selectable } from 'kysely';
import type { Account } from '../accounts/store.js';
import { isoSeconds } from '../clock.js';
import { isStoredId } from '../db/columns.js';
import { precompiled } from '../db/prepared.js';
import type { Database, InvitationTable } from '../db/schema.js';
import { bumpCounter, readCounter } from '../memberships/store.js';

export type InvitationRow = Selectable<InvitationTable>;
export type InvitationState = InvitationRow['state'];
export type InvitationRole = 'direct_member' | 'admin' | 'billing_manager' | 'reinstate';

/** Invitations expire seven days after they are sent, as on GitHub. */
export const INVITATION_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;
export const EXPIRED_REASON = 'Invitation expired. User did not accept this invite for 7 days';

/**
 * Counters kept with every invitation state change, so the lists know their last page without counting
 * (failed invitations only ever accumulate).
 */
export const PENDING_INVITATIONS_COUNTER = 'pending_invitations';
const COUNTER_OF: Partial<Record<InvitationState, string>> = {
  pending: PENDING_INVITATIONS_COUNTER,
  failed: 'failed_invitations',
};

export async function countInvitationsInState(db: Kysely<Database>, orgId: number, state: 'pending' | 'failed'): Promise<number> {
  return readCounter(db, orgId, COUNTER_OF[state]!);
}

async function moveCounters(db: Kysely<Database>, orgId: number, from: InvitationState | null, to: InvitationState): Promise<void> {
  if (from && COUNTER_OF[from]) await bumpCounter(db, orgId, COUNTER_OF[from]!, -1);
  if (COUNTER_OF[to]) await bumpCounter(db, orgId, COUNTER_OF[to]!, 1);
}

export function parseTeamIds(row: Pick<InvitationRow, 'team_ids'>): number[] {
  return JSON.parse(row.team_ids) as number[];
}

export interface NewInvitation {
  orgId: number;
  inviteeId: number | null;
  email: string | null;
  role: InvitationRole;
  inviterId: number;
  teamIds: number[];
  now: Date;
}

export async function insertInvitation(db: Kysely<Database>, input: NewInvitation): Promise<InvitationRow> {
  const created = isoSeconds(input.now);
  const row = await db
    .insertInto('invitations')
    .values({
      org_id: input.orgId,
      invitee_id: input.inviteeId,
      email: input.email,
      email_lower: input.email?.toLowerCase() ?? null,
      role: input.role,
      inviter_id: input.inviterId,
      invitation_source: 'member',
      state: 'pending',
      team_ids: JSON.stringify(input.teamIds),
      created_at: created,
      expires_at: isoSeconds(new Date(input.now.getTime() + INVITATION_LIFETIME_MS)),
      failed_at: null,
      failed_reason: null,
      updated_at: created,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await moveCounters(db, input.orgId, null, 'pending');
  return row;
}

/** Moves an invitation to a new state, keeping the counters in step. */
export async function setInvitationState(
  db: Kysely<Database>,
  invitation: InvitationRow,
  to: InvitationState,
  changes: Partial<Pick<InvitationRow, 'invitee_id' | 'failed_at' | 'failed_reason'>> & { updated_at: string },
): Promise<void> {
  await db.updateTable('invitations').set({ state: to, ...changes }).where('id', '=', invitation.id).execute();
  await moveCounters(db, invitation.org_id, invitation.state, to);
}

export async function updateInvitation(
  db: Kysely<Database>,
  id: number,
  changes: Partial<Pick<InvitationRow, 'invitee_id' | 'role' | 'team_ids'>> & { updated_at: string },
): Promise<void> {
  await db.updateTable('invitations').set(changes).where('id', '=', id).execute();
}

export async function getInvitation(db: Kysely<Database>, orgId: number, id: number): Promise<InvitationRow | undefined> {
  if (!isStoredId(id)) return undefined;
  return db.selectFrom('invitations').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

/** A user's pending invitations in an org: addressed to them, or to their email address before they were known. */
export async function pendingInvitationsFor(
  db: Kysely<Database>,
  orgId: number,
  user: { id: number; email: string | null },
): Promise<InvitationRow[]> {
  return db
    .selectFrom('invitations')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('state', '=', 'pending')
    .where((eb) => {
      const byUser = eb('invitee_id', '=', user.id);
      return user.email
        ? eb.or([byUser, eb.and([eb('invitee_id', 'is', null), eb('email_lower', '=', user.email.toLowerCase())])])
        : byUser;
    })
    .orderBy('id')
    .execute();
}

/** Every invitation of the org sent to or by the user, in any state. */
export async function invitationsNaming(db: Kysely<Database>, orgId: number, userId: number): Promise<InvitationRow[]> {
  return db
    .selectFrom('invitations')
    .selectAll()
    .where('org_id', '=', orgId)
    .where((eb) => eb.or([eb('invitee_id', '=', userId), eb('inviter_id', '=', userId)]))
    .orderBy('id')
    .execute();
}

/** Deletes invitations, keeping the counters in step. */
export async function deleteInvitations(db: Kysely<Database>, invitations: InvitationRow[]): Promise<void> {
  if (invitations.length === 0) return;
  await db.deleteFrom('invitations').where('id', 'in', invitations.map((invitation) => invitation.id)).execute();
  for (const invitation of invitations) {
    const counter = COUNTER_OF[invitation.state];
    if (counter) await bumpCounter(db, invitation.org_id, counter, -1);
  }
}

export async function pendingInvitationsInOrg(db: Kysely<Database>, orgId: number): Promise<InvitationRow[]> {
  return db.selectFrom('invitations').selectAll().where('org_id', '=', orgId).where('state', '=', 'pending').orderBy('id').execute();
}

/** Pending invitations past their expiry: in one org, or those of one user (by id or email) anywhere. */
const pendingDue = (db: Kysely<Database>, nowIso: string) =>
  db.selectFrom('invitations').selectAll().where('state', '=', 'pending').where('expires_at', '<=', nowIso);
// Compiled once each: every membership read and write looks for due invitations first.
const selectDueOfOrg = precompiled((db, orgId: number, nowIso: string) => pendingDue(db, nowIso).where('org_id', '=', orgId).orderBy('id'));
const selectDueOfUser = precompiled((db, userId: number, nowIso: string) => pendingDue(db, nowIso).where('invitee_id', '=', userId).orderBy('id'));
const selectDueOfUserOrEmail = precompiled((db, userId: number, emailLower: string, nowIso: string) =>
  pendingDue(db, nowIso)
    .where((eb) => eb.or([eb('invitee_id', '=', userId), eb('email_lower', '=', emailLower)]))
    .orderBy('id'),
);

export async function dueInvitations(
  db: Kysely<Database>,
  scope: { orgId: number } | { user: { id: number; email: string | null } },
  nowIso: string,
): Promise<InvitationRow[]> {
  if ('orgId' in scope) return selectDueOfOrg(db, scope.orgId, nowIso);
  const { id, email } = scope.user;
  return email ? selectDueOfUserOrEmail(db, id, email.toLowerCase(), nowIso) : selectDueOfUser(db, id, nowIso);
}

/** How many invitations the org sent since `sinceIso`, and when the oldest of them was sent (rate limit window). */
export async function invitationsSentSince(db: Kysely<Database>, orgId: number, sinceIso: string): Promise<{ count: number; oldest: string | null }> {
  const row = await db
    .selectFrom('invitations')
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min('created_at').as('oldest')])
    .where('org_id', '=', orgId)
    .where('created_at', '>', sinceIso)
    .executeTakeFirstOrThrow();
  return { count: Number(row.n), oldest: (row.oldest as string | null) ?? null };
}

/** An invitation with the accounts its answer names: the invitee's login and the inviter. */
export interface InvitationView extends InvitationRow {
  invitee_login: string | null;
  inviter_login: string;
  inviter_type: 'User' | 'Organization' | 'Bot';
  inviter_site_admin: 0 | 1;
}

export interface InvitationFilter {
  state: 'pending' | 'failed';
  /** Invitation roles to include (undefined: all). */
  roles?: string[];
  /** Invitation sources to include (undefined: all). */
  sources?: string[];
}

/** An org's invitations in one state, narrowed by role and source. */
function matching(db: Kysely<Database>, orgId: number, filter: Omit<InvitationFilter, 'state'> & { state: InvitationState }) {
  let query = db.selectFrom('invitations as i').where('i.org_id', '=', orgId).where('i.state', '=', filter.state);
  if (filter.roles) query = query.where('i.role', 'in', filter.roles);
  if (filter.sources) query = query.where('i.invitation_source', 'in', filter.sources);
  return query;
}

function withAccounts(query: ReturnType<typeof matching>) {
  return query
    .leftJoin('accounts as invitee', 'invitee.id', 'i.invitee_id')
    .innerJoin('accounts as inviter', 'inviter.id', 'i.inviter_id')
    .selectAll('i')
    .select([
      'invitee.login as invitee_login',
      'inviter.login as inviter_login',
      'inviter.type as inviter_type',
      'inviter.site_admin as inviter_site_admin',
    ]);
}

export async function getInvitationView(db: Kysely<Database>, invitation: InvitationRow): Promise<InvitationView> {
  return withAccounts(matching(db, invitation.org_id, { state: invitation.state }))
    .where('i.id', '=', invitation.id)
    .executeTakeFirstOrThrow();
}

/** One page of an org's invitations in id order (the `(org_id, state, id)` index). */
export async function listInvitationViews(
  db: Kysely<Database>,
  orgId: number,
  filter: InvitationFilter,
  page: { offset: number; limit: number },
): Promise<InvitationView[]> {
  return withAccounts(matching(db, orgId, filter)).orderBy('i.id').offset(page.offset).limit(page.limit).execute();
}

/** How many invitations match a filter; unfiltered totals come from the counters. */
export async function countInvitations(db: Kysely<Database>, orgId: number, filter: InvitationFilter): Promise<number> {
  if (!filter.roles && !filter.sources) return countInvitationsInState(db, orgId, filter.state);
  // Filtered lists only exist for pending invitations, which the invitation rate limit keeps to a few thousand per org.
  const row = await matching(db, orgId, filter).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The one user with this email address (case-insensitive), if exactly one has it. */
export async function findUserByEmail(db: Kysely<Database>, email: string): Promise<Account | undefined> {
  const rows = await db
    .selectFrom('accounts')
    .selectAll()
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
    .where('type', '=', 'User')
    .limit(2)
    .execute();
  return rows.length === 1 ? rows[0] : undefined;
}

/** Pending invitations of the org to an email address no user was known for. */
export async function pendingEmailInvitationsInOrg(db: Kysely<Database>, orgId: number, email: string): Promise<InvitationRow[]> {
  return db
    .selectFrom('invitations')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('state', '=', 'pending')
    .where('email_lower', '=', email.toLowerCase())
    .execute();
}

/** Whether the user was ever removed from the org (what `reinstate` restores). */
export async function wasRemovedFrom(db: Kysely<Database>, orgId: number, userId: number): Promise<boolean> {
  const row = await db
    .selectFrom('audit_events')
    .select('id')
    .where('org_id', '=', orgId)
    .where('user_id', '=', userId)
    .where('action', '=', 'org.remove_member')
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
