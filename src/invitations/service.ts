import type { Kysely, Transaction } from 'kysely';
import { findAccountById, lockAccount, type Account } from '../accounts/store.js';
import { recordEvent } from '../events/record.js';
import { isoSeconds } from '../clock.js';
import type { AppContext } from '../context.js';
import type { Database } from '../db/schema.js';
import type { Caller } from '../http/auth/index.js';
import { ApiError, notFound } from '../http/errors.js';
import { putMembership, type MembershipRole } from '../memberships/store.js';
import { countTeamsOfOrgByIds, deletePendingTeamMemberships, putTeamMember, teamMembershipsInOrg, teamsOfOrgByIds, type TeamRole, type TeamRow } from '../teams/store.js';
import { expireDueInvitations, expireDueInvitationsInOrg, releaseInvitee } from './expiry.js';
import { enforceInvitationRateLimit } from './rate-limit.js';
import { removeOutsideCollaborator } from '../outside-collaborators/store.js';
import {
  deleteInvitations,
  getInvitation,
  insertInvitation,
  invitationsNaming,
  parseTeamIds,
  pendingInvitationsFor,
  pendingInvitationsInOrg,
  setInvitationState,
  updateInvitation,
  type InvitationRole,
  type InvitationRow,
} from './store.js';


export const actorOf = (caller: Caller) => ({ id: caller.userId, login: caller.login });

/** The membership an accepted invitation grants; `reinstate` gives back plain membership (orghub keeps no earlier role). */
export function membershipRoleFor(role: string): MembershipRole {
  if (role === 'admin') return 'admin';
  if (role === 'billing_manager') return 'billing_manager';
  return 'member';
}

export interface Invitee {
  /** The invited user, or null for an email address no user has. */
  user: Account | null;
  email: string | null;
}

export interface SendInvitation {
  org: Account;
  inviter: Caller;
  requestId: string;
  invitee: Invitee;
  role: InvitationRole;
  teams: { team: TeamRow; role: TeamRole }[];
}

/**
 * Records an invitation, the pending side of the invitee's membership and their pending team memberships.
 * Every way of inviting ends here, so each counts against the invitation rate limit. Caller holds `lockAccount`
 * and has ruled out members, blocked users and duplicates.
 */
export async function sendInvitation(ctx: AppContext, trx: Kysely<Database>, input: SendInvitation, now: Date): Promise<InvitationRow> {
  await enforceInvitationRateLimit(trx, input.org, now, input.requestId, ctx.config.invitationLimit);
  const nowIso = isoSeconds(now);
  const { user, email } = input.invitee;
  const invitation = await insertInvitation(trx, {
    orgId: input.org.id,
    inviteeId: user?.id ?? null,
    email,
    role: input.role,
    inviterId: input.inviter.userId,
    teamIds: input.teams.map((t) => t.team.id),
    now,
  });
  if (user) {
    await putMembership(trx, { orgId: input.org.id, userId: user.id, role: membershipRoleFor(input.role), state: 'pending', now: nowIso });
    for (const { team, role } of input.teams) await putTeamMember(trx, { teamId: team.id, userId: user.id, role, state: 'pending', now: nowIso });
  }
  await recordEvent(trx, {
    action: 'org.invite_member',
    actor: actorOf(input.inviter),
    org: input.org,
    user,
    invitation,
    data: { invitation_id: invitation.id, role: input.role, email, team_ids: input.teams.map((t) => t.team.id) },
    createdAt: nowIso,
  });
  return invitation;
}

/** Addresses an email invitation to the user who now has that address: their pending membership and team records. */
export async function attachInvitee(
  trx: Kysely<Database>,
  org: Account,
  invitation: InvitationRow,
  user: Account,
  nowIso: string,
): Promise<InvitationRow> {
  await updateInvitation(trx, invitation.id, { invitee_id: user.id, updated_at: nowIso });
  await putMembership(trx, { orgId: org.id, userId: user.id, role: membershipRoleFor(invitation.role), state: 'pending', now: nowIso });
  for (const team of await teamsOfOrgByIds(trx, org.id, parseTeamIds(invitation))) {
    await putTeamMember(trx, { teamId: team.id, userId: user.id, role: 'member', state: 'pending', now: nowIso });
  }
  return { ...invitation, invitee_id: user.id, updated_at: nowIso };
}

/** Adds a team to a pending invitation (a team membership PUT for someone already invited). */
export async function addTeamToInvitation(
  trx: Kysely<Database>,
  invitation: InvitationRow,
  team: TeamRow,
  role: TeamRole,
  nowIso: string,
): Promise<void> {
  const ids = parseTeamIds(invitation);
  if (!ids.includes(team.id)) await updateInvitation(trx, invitation.id, { team_ids: JSON.stringify([...ids, team.id]), updated_at: nowIso });
  if (invitation.invitee_id !== null) {
    await putTeamMember(trx, { teamId: team.id, userId: invitation.invitee_id, role, state: 'pending', now: nowIso });
  }
}

/** Takes a team off a pending invitation (a team membership DELETE for someone only invited). */
export async function removeTeamFromInvitation(trx: Kysely<Database>, invitation: InvitationRow, teamId: number, nowIso: string): Promise<boolean> {
  const ids = parseTeamIds(invitation);
  if (!ids.includes(teamId)) return false;
  await updateInvitation(trx, invitation.id, { team_ids: JSON.stringify(ids.filter((id) => id !== teamId)), updated_at: nowIso });
  return true;
}

/** Takes deleted teams off the org's pending invitations, so their `team_count` counts only teams that exist. */
export async function removeTeamsFromInvitations(trx: Kysely<Database>, orgId: number, teamIds: number[], nowIso: string): Promise<void> {
  for (const invitation of await pendingInvitationsInOrg(trx, orgId)) {
    const ids = parseTeamIds(invitation);
    const kept = ids.filter((id) => !teamIds.includes(id));
    if (kept.length < ids.length) await updateInvitation(trx, invitation.id, { team_ids: JSON.stringify(kept), updated_at: nowIso });
  }
}

async function auditUserOf(db: Kysely<Database>, invitation: InvitationRow): Promise<Account | null> {
  return invitation.invitee_id === null ? null : ((await findAccountById(db, invitation.invitee_id)) ?? null);
}

/** Cancels one pending (or failed) invitation: it leaves every list, and the invitee's pending records go. */
async function cancelInvitationRow(trx: Kysely<Database>, org: Account, invitation: InvitationRow, actor: Caller, nowIso: string): Promise<void> {
  await setInvitationState(trx, invitation, 'cancelled', { updated_at: nowIso });
  if (invitation.state === 'pending') await releaseInvitee(trx, invitation);
  await recordEvent(trx, {
    action: 'org.cancel_invitation',
    actor: actorOf(actor),
    org,
    user: await auditUserOf(trx, invitation),
    data: { invitation_id: invitation.id, email: invitation.email },
    createdAt: nowIso,
  });
}

/**
 * Cancels every pending invitation of `user` in `org` (addressed to them or to their email address), with their
 * pending membership record; returns how many. Used by blocking and member removal; the caller holds `lockAccount`.
 * Cancelled invitations never show in failed_invitations.
 */
export async function cancelPendingInvitationsOf(
  ctx: AppContext,
  trx: Transaction<Database>,
  input: { org: Account; user: Account; actor: Caller },
): Promise<number> {
  const now = ctx.clock.now();
  await expireDueInvitationsInOrg(trx, input.org.id, now);
  const pending = await pendingInvitationsFor(trx, input.org.id, input.user);
  for (const invitation of pending) await cancelInvitationRow(trx, input.org, invitation, input.actor, isoSeconds(now));
  return pending.length;
}

/**
 * What a deleted user leaves in `org`'s invitations: the pending ones sent to them or by them are cancelled (an
 * invitation is extended on its sender's authority; GitHub shows a deleted sender as @ghost, an account orghub does not
 * have), then every invitation naming them goes with their account, as their tokens do. Invitations to their email
 * address name an address, not the account: they stay. The caller holds `lockAccount`.
 */
export async function forgetInvitationsOf(ctx: AppContext, trx: Transaction<Database>, input: { org: Account; user: Account; actor: Caller }): Promise<void> {
  const now = ctx.clock.now();
  await expireDueInvitationsInOrg(trx, input.org.id, now);
  for (const invitation of await invitationsNaming(trx, input.org.id, input.user.id)) {
    if (invitation.state === 'pending') await cancelInvitationRow(trx, input.org, invitation, input.actor, isoSeconds(now));
  }
  await deleteInvitations(trx, await invitationsNaming(trx, input.org.id, input.user.id));
}

/** `DELETE /orgs/{org}/invitations/{invitation_id}`. */
export async function cancelInvitation(ctx: AppContext, input: { org: Account; caller: Caller; invitationId: number }): Promise<void> {
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    await lockAccount(trx, ctx.dialect, input.org.id);
    await expireDueInvitationsInOrg(trx, input.org.id, now);
    const invitation = await getInvitation(trx, input.org.id, input.invitationId);
    if (!invitation) throw notFound();
    if (invitation.state === 'accepted') throw new ApiError(422, 'You cannot cancel an accepted invitation.');
    // Cancelling again changes nothing; cancelling a failed invitation takes it off failed_invitations, as on GitHub.
    if (invitation.state === 'cancelled') return;
    await cancelInvitationRow(trx, input.org, invitation, input.caller, isoSeconds(now));
  });
}

/**
 * Accepts a pending invitation for `user`: the membership becomes active with the invited role, the invitation
 * records who accepted it (email invitations gain their login), and the invitation's teams are joined.
 * The caller holds `lockAccount`.
 */
export async function acceptInvitation(trx: Kysely<Database>, org: Account, invitation: InvitationRow, user: Account, now: Date): Promise<void> {
  const nowIso = isoSeconds(now);
  const role = membershipRoleFor(invitation.role);
  await putMembership(trx, { orgId: org.id, userId: user.id, role, state: 'active', now: nowIso });
  // A member is never also an outside collaborator: joining ends that status.
  await removeOutsideCollaborator(trx, org.id, user.id);
  await setInvitationState(trx, invitation, 'accepted', { invitee_id: user.id, updated_at: nowIso });
  // GitHub records the inviter as the actor of what an accepted invitation does.
  const inviter = (await findAccountById(trx, invitation.inviter_id)) ?? null;
  await recordEvent(trx, {
    action: 'org.add_member',
    actor: inviter,
    org,
    user,
    data: { permission: role, invitation_id: invitation.id },
    createdAt: nowIso,
  });
  const invitedRoles = new Map((await teamMembershipsInOrg(trx, org.id, user.id, 'pending')).map((row) => [row.team_id, row.role]));
  for (const team of await teamsOfOrgByIds(trx, org.id, parseTeamIds(invitation))) {
    await putTeamMember(trx, { teamId: team.id, userId: user.id, role: invitedRoles.get(team.id) ?? 'member', state: 'active', now: nowIso });
    await recordEvent(trx, { action: 'team.add_member', actor: inviter, org, user, team, data: { team: `${org.login}/${team.slug}` }, createdAt: nowIso });
  }
  await deletePendingTeamMemberships(trx, org.id, user.id);
}

/** `GET /orgs/{org}/invitations/{invitation_id}/teams`: the teams of a pending invitation, in id order. */
export async function invitationTeams(
  ctx: AppContext,
  org: Account,
  invitationId: number,
  page: { offset: number; limit: number },
): Promise<{ teams: TeamRow[]; total: number }> {
  await expireDueInvitations(ctx, { orgId: org.id });
  const invitation = await getInvitation(ctx.db, org.id, invitationId);
  if (!invitation || invitation.state !== 'pending') throw notFound();
  const ids = parseTeamIds(invitation);
  const [teams, total] = await Promise.all([teamsOfOrgByIds(ctx.db, org.id, ids, page), countTeamsOfOrgByIds(ctx.db, org.id, ids)]);
  return { teams, total };
}
