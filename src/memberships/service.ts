import type { Kysely } from 'kysely';
import { findAccount, findAccountById, lockAccount, type Account } from '../accounts/store.js';
import { recordEvent } from '../events/record.js';
import { isBlocked } from '../blocks/store.js';
import { isoSeconds } from '../clock.js';
import type { AppContext } from '../context.js';
import type { Database } from '../db/schema.js';
import type { Caller } from '../http/auth/index.js';
import { ApiError, forbidden, notFound } from '../http/errors.js';
import { expireDueInvitations, expireDueInvitationsInOrg } from '../invitations/expiry.js';
import { acceptInvitation, actorOf, attachInvitee, cancelPendingInvitationsOf, membershipRoleFor, sendInvitation } from '../invitations/service.js';
import { pendingInvitationsFor, updateInvitation, type InvitationRow } from '../invitations/store.js';
import { ensureNotLastOwner, removeMemberFromOrg } from '../members/service.js';
import { isMember, isOwner, type OrgAccess } from '../orgs/access.js';
import type { OrgSummary } from '../orgs/present.js';
import { parseOrgSettings } from '../orgs/settings.js';
import { getMembership, type AccountWithMembership, listOwnMembershipPage, putMembership, type MembershipRole, type MembershipState } from './store.js';

export interface EffectiveMembership {
  role: MembershipRole;
  state: MembershipState;
}

/**
 * The user's membership as GitHub reports it: the membership record, or else a pending invitation sent to their
 * email address before the address was theirs.
 */
export async function effectiveMembership(db: Kysely<Database>, orgId: number, user: Account): Promise<EffectiveMembership | undefined> {
  const row = await getMembership(db, orgId, user.id);
  if (row) return row;
  const [invitation] = await pendingInvitationsFor(db, orgId, user);
  return invitation ? { role: membershipRoleFor(invitation.role), state: 'pending' } : undefined;
}

async function userOr404(ctx: AppContext, username: string): Promise<Account> {
  const user = await findAccount(ctx.db, username);
  if (!user) throw notFound();
  return user;
}

/** Re-checks, under the org lock, that the caller is still an owner (a concurrent change may have demoted them). */
async function requireOwner(trx: Kysely<Database>, orgId: number, caller: Caller, message: string): Promise<void> {
  const membership = await getMembership(trx, orgId, caller.userId);
  if (membership?.state !== 'active' || membership.role !== 'admin') throw forbidden(message);
}

/**
 * `GET /orgs/{org}/memberships/{username}`: members see active memberships, owners also invitations, anyone their own.
 * `found`: the account `{username}` names with its membership record here (memberships/store.ts `findAccountWithMembership`).
 */
export async function getMembershipForUser(
  ctx: AppContext,
  access: OrgAccess,
  found: AccountWithMembership | undefined,
): Promise<{ user: Account; membership: EffectiveMembership }> {
  const { org, caller } = access;
  if (!found) throw notFound();
  const user = found.account;
  const self = caller?.userId === user.id;
  const owner = isOwner(access);
  if (!owner && !self && !isMember(access)) {
    throw forbidden(`You must be a member of ${org.login} to see membership information for ${user.login}.`);
  }
  // Expiry only ever removes pending memberships: an active one read with the user stands (the user's due invitations
  // elsewhere expire on their own org's next read); anything else is expired and read afresh.
  const active = found.membership?.state === 'active' ? found.membership : undefined;
  if (!active) await expireDueInvitations(ctx, { user });
  const membership = active ?? (await effectiveMembership(ctx.db, org.id, user));
  // Pending invitations are the owners' (and the invitee's) business.
  if (!membership || (membership.state === 'pending' && !owner && !self)) throw notFound();
  return { user, membership };
}

/**
 * Points a pending invitation at the requested role (and at the user, if it went to their email address). A role that
 * changes is recorded as `org.update_member`: GitHub has no separate action for an invitation's role.
 */
async function reviseInvitation(trx: Kysely<Database>, org: Account, invitation: InvitationRow, user: Account, role: 'admin' | 'member', caller: Caller, nowIso: string) {
  const addressed = invitation.invitee_id === null ? await attachInvitee(trx, org, invitation, user, nowIso) : invitation;
  await updateInvitation(trx, addressed.id, { role: role === 'admin' ? 'admin' : 'direct_member', updated_at: nowIso });
  await putMembership(trx, { orgId: org.id, userId: user.id, role, state: 'pending', now: nowIso });
  const previous = membershipRoleFor(invitation.role);
  if (previous !== role) {
    await recordEvent(trx, { action: 'org.update_member', actor: actorOf(caller), org, user, data: { old_permission: previous, permission: role }, createdAt: nowIso });
  }
}

/**
 * `PUT /orgs/{org}/memberships/{username}`: a member's role changes; an invitee's pending invitation takes the
 * new role; anyone else is invited (counting against the invitation rate limit).
 */
export async function setMembershipForUser(
  ctx: AppContext,
  input: { org: Account; caller: Caller; requestId: string; user: Account | undefined; role: 'admin' | 'member' },
): Promise<{ user: Account; membership: EffectiveMembership }> {
  const { org, caller, role } = input;
  if (!input.user) throw notFound();
  const user = input.user;
  if (user.type !== 'User') throw new ApiError(422, 'Members must be users, not organizations.');
  const now = ctx.clock.now();
  const nowIso = isoSeconds(now);
  return ctx.db.transaction().execute(async (trx) => {
    await lockAccount(trx, ctx.dialect, org.id);
    await requireOwner(trx, org.id, caller, 'You must be an admin to add or update an organization membership.');
    if (role === 'member' && user.id === caller.userId) {
      throw forbidden('You cannot demote yourself. Admins must be demoted by another admin.');
    }
    await expireDueInvitationsInOrg(trx, org.id, now);
    const current = await getMembership(trx, org.id, user.id);
    if (current?.state === 'active') {
      if (current.role !== role) {
        await ensureNotLastOwner(trx, org.id, current, "You can't demote the last admin to a member.");
        // A billing manager given a member role becomes that member directly: the one membership record changes role.
        const updated = await putMembership(trx, { orgId: org.id, userId: user.id, role, state: 'active', now: nowIso, before: current });
        await recordEvent(trx, {
          action: 'org.update_member',
          actor: actorOf(caller),
          org,
          user,
          data: { old_permission: current.role, permission: updated.role },
          createdAt: nowIso,
        });
      }
      return { user, membership: { role, state: 'active' } };
    }
    const [invitation] = await pendingInvitationsFor(trx, org.id, user);
    if (invitation) {
      await reviseInvitation(trx, org, invitation, user, role, caller, nowIso);
    } else {
      if (await isBlocked(trx, org.id, user.id)) throw new ApiError(422, 'You cannot invite a user who is blocked by the organization.');
      const invitationRole = role === 'admin' ? 'admin' : 'direct_member';
      await sendInvitation(ctx, trx, { org, inviter: caller, requestId: input.requestId, invitee: { user, email: null }, role: invitationRole, teams: [] }, now);
    }
    return { user, membership: { role, state: 'pending' } };
  });
}

/** `DELETE /orgs/{org}/memberships/{username}`: removes a member (never the last owner) or cancels an invitation. */
export async function removeMembershipForUser(ctx: AppContext, input: { org: Account; caller: Caller; username: string }): Promise<void> {
  const { org, caller } = input;
  const user = await userOr404(ctx, input.username);
  await ctx.db.transaction().execute(async (trx) => {
    await lockAccount(trx, ctx.dialect, org.id);
    await requireOwner(trx, org.id, caller, 'You must be an admin to remove an organization membership.');
    if ((await getMembership(trx, org.id, user.id))?.state === 'active') {
      await removeMemberFromOrg(ctx, trx, { org, user, actor: caller });
      return;
    }
    if ((await cancelPendingInvitationsOf(ctx, trx, { org, user, actor: caller })) === 0) {
      throw new ApiError(404, `Cannot find ${user.login}`);
    }
  });
}

/** `GET /user/memberships/orgs/{org}`. */
export async function getOwnMembership(ctx: AppContext, org: Account, caller: Caller): Promise<{ user: Account; membership: EffectiveMembership }> {
  const user = (await findAccountById(ctx.db, caller.userId))!;
  await expireDueInvitations(ctx, { user });
  const membership = await effectiveMembership(ctx.db, org.id, user);
  if (!membership) throw notFound();
  return { user, membership };
}

/**
 * `PATCH /user/memberships/orgs/{org}` with `state: active`: accepts the user's pending invitation, joining its
 * teams. A member gets their membership back unchanged; anyone else 404; any other state 422.
 */
export async function updateOwnMembership(
  ctx: AppContext,
  input: { org: Account; caller: Caller; state: unknown },
): Promise<{ user: Account; membership: EffectiveMembership }> {
  const { org } = input;
  const user = (await findAccountById(ctx.db, input.caller.userId))!;
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    await lockAccount(trx, ctx.dialect, org.id);
    await expireDueInvitationsInOrg(trx, org.id, now);
    const membership = await effectiveMembership(trx, org.id, user);
    if (!membership) throw notFound();
    if (input.state !== 'active') throw new ApiError(422, "You can only update an organization membership's state to 'active'.");
    if (membership.state === 'active') return { user, membership };
    if (await isBlocked(trx, org.id, user.id)) throw forbidden('You cannot accept an invitation from an organization that has blocked you.');
    if (parseOrgSettings(org.settings).two_factor_requirement_enabled && user.two_factor === 'disabled') {
      throw forbidden(`The ${org.name ?? org.login} organization requires all members to have two-factor authentication enabled.`);
    }
    const [invitation] = await pendingInvitationsFor(trx, org.id, user);
    if (invitation) {
      await acceptInvitation(trx, org, invitation, user, now);
    } else {
      // A pending record made outside the API (no invitation behind it) is simply accepted.
      const nowIso = isoSeconds(now);
      await putMembership(trx, { orgId: org.id, userId: user.id, role: membership.role, state: 'active', now: nowIso });
      await recordEvent(trx, { action: 'org.add_member', actor: user, org, user, data: { permission: membership.role }, createdAt: nowIso });
    }
    return { user, membership: { role: membership.role, state: 'active' } };
  });
}

export interface OwnMembership {
  org: OrgSummary;
  membership: EffectiveMembership;
}

/**
 * `GET /user/memberships/orgs`: one page of the user's memberships (active and pending) and of the pending
 * invitations to their email address, in org id order, cut in the database.
 */
export async function listOwnMemberships(
  ctx: AppContext,
  caller: Caller,
  state: MembershipState | undefined,
  page: { offset: number; limit: number },
): Promise<{ rows: OwnMembership[]; total: number }> {
  const user = (await findAccountById(ctx.db, caller.userId))!;
  await expireDueInvitations(ctx, { user });
  const { rows, total } = await listOwnMembershipPage(ctx.db, user, state, page);
  return { rows: rows.map(({ role, state: s, ...org }) => ({ org, membership: { role, state: s } })), total };
}
