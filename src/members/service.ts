import type { Kysely, Transaction } from 'kysely';
import { findAccount, lockAccount, type Account } from '../accounts/store.js';
import { recordEvent } from '../events/record.js';
import { isoSeconds } from '../clock.js';
import type { AppContext } from '../context.js';
import type { Database } from '../db/schema.js';
import type { Caller } from '../http/auth/index.js';
import { ApiError, forbidden } from '../http/errors.js';
import { deleteMembership, getMembership, readCounter, type MembershipRow } from '../memberships/store.js';
import { revokeUserRoles } from '../organization-roles/store.js';
import { actorOf } from './common.js';
import { removeFromOrgTeams } from './store.js';

/** An active member or owner; billing managers are not members, as on GitHub. */
export function isActiveMember(membership: Pick<MembershipRow, 'state' | 'role'> | undefined): boolean {
  return membership?.state === 'active' && membership.role !== 'billing_manager';
}

/**
 * 403 when `membership` is the org's only active owner. Read under `lockAccount`, the `admins` counter is exact,
 * so the check costs one row whatever the org's size.
 */
export async function ensureNotLastOwner(db: Kysely<Database>, orgId: number, membership: MembershipRow, message: string): Promise<void> {
  if (membership.state !== 'active' || membership.role !== 'admin') return;
  if ((await readCounter(db, orgId, 'admins')) <= 1) throw forbidden(message);
}

/**
 * Removes an active member (any role) from the org: never the last owner (403), out of every team of the
 * org, and not turned into an outside collaborator. Records `org.remove_member` and one `team.remove_member`
 * per team left. The caller holds `lockAccount` on the org.
 */
export async function removeMemberFromOrg(
  ctx: AppContext,
  trx: Transaction<Database>,
  input: { org: Account; user: Account; actor: Caller },
): Promise<void> {
  const { org, user, actor } = input;
  const membership = await getMembership(trx, org.id, user.id);
  // GitHub's answer when the user holds no active membership.
  if (membership?.state !== 'active') throw new ApiError(404, 'Not a member');
  await ensureNotLastOwner(trx, org.id, membership, 'Cannot remove the last owner');
  const now = isoSeconds(ctx.clock.now());
  await deleteMembership(trx, org.id, user.id);
  // Organization roles are for members: held directly, they go with the membership (as on GitHub).
  await revokeUserRoles(trx, org.id, user.id);
  const teams = await removeFromOrgTeams(trx, org.id, user.id);
  await recordEvent(trx, { action: 'org.remove_member', actor: actorOf(actor), org, user, data: { permission: membership.role }, createdAt: now });
  for (const team of teams) {
    await recordEvent(trx, {
      action: 'team.remove_member',
      actor: actorOf(actor),
      org,
      user,
      team,
      data: { team: `${org.login}/${team.slug}` },
      createdAt: now,
    });
  }
}

/**
 * `DELETE /orgs/{org}/members/{username}`: owners remove anyone; a member may remove themself (leave the
 * org), as GitHub's "Leave" does. Billing managers and invitees are not members here (404): they are removed
 * through `DELETE /orgs/{org}/memberships/{username}`.
 */
export async function removeMember(ctx: AppContext, org: Account, caller: Caller, username: string): Promise<void> {
  const user = await findAccount(ctx.db, username, 'User');
  await ctx.db.transaction().execute(async (trx) => {
    await lockAccount(trx, ctx.dialect, org.id);
    const callerMembership = await getMembership(trx, org.id, caller.userId);
    const owner = callerMembership?.state === 'active' && callerMembership.role === 'admin';
    if (!owner && user?.id !== caller.userId) throw forbidden('You must be an organization owner to remove members.');
    if (!user || !isActiveMember(await getMembership(trx, org.id, user.id))) throw new ApiError(404, `Cannot find ${username}`);
    await removeMemberFromOrg(ctx, trx, { org, user, actor: caller });
  });
}
