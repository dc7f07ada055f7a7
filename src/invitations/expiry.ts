import { lockAccount } from '../accounts/store.js';
import type { Kysely } from 'kysely';
import { isoSeconds } from '../clock.js';
import type { AppContext } from '../context.js';
import type { Database } from '../db/schema.js';
import { deleteMembership, getMembership } from '../memberships/store.js';
import { deletePendingTeamMemberships } from '../teams/store.js';
import { dueInvitations, EXPIRED_REASON, setInvitationState, type InvitationRow } from './store.js';

/** Drops what a pending invitation held for its invitee: the pending membership record and pending team memberships. */
export async function releaseInvitee(trx: Kysely<Database>, invitation: InvitationRow): Promise<void> {
  if (invitation.invitee_id === null) return;
  const membership = await getMembership(trx, invitation.org_id, invitation.invitee_id);
  if (membership?.state === 'pending') await deleteMembership(trx, invitation.org_id, invitation.invitee_id);
  await deletePendingTeamMemberships(trx, invitation.org_id, invitation.invitee_id);
}

/**
 * Fails the org's pending invitations whose seven days are over; they then show in failed_invitations with
 * `failed_at` = the moment they expired. The caller holds `lockAccount`.
 */
export async function expireDueInvitationsInOrg(trx: Kysely<Database>, orgId: number, now: Date): Promise<void> {
  const nowIso = isoSeconds(now);
  for (const invitation of await dueInvitations(trx, { orgId }, nowIso)) {
    await setInvitationState(trx, invitation, 'failed', {
      failed_at: invitation.expires_at,
      failed_reason: EXPIRED_REASON,
      updated_at: nowIso,
    });
    await releaseInvitee(trx, invitation);
  }
}

/**
 * Expiry is applied lazily: every read and write of invitations or memberships first fails what is due, so lists,
 * membership answers and acceptance agree. A read writes (under the org lock) only when something did expire.
 */
export async function expireDueInvitations(
  ctx: AppContext,
  scope: { orgId: number } | { user: { id: number; email: string | null } },
): Promise<void> {
  const now = ctx.clock.now();
  const due = await dueInvitations(ctx.db, scope, isoSeconds(now));
  const orgIds = [...new Set(due.map((invitation) => invitation.org_id))].sort((a, b) => a - b);
  for (const orgId of orgIds) {
    await ctx.db.transaction().execute(async (trx) => {
      await lockAccount(trx, ctx.dialect, orgId);
      await expireDueInvitationsInOrg(trx, orgId, now);
    });
  }
}
