import type { Kysely } from 'kysely';
import { findAccount, lockAccount, type Account } from '../accounts/store.js';
import { recordEvent } from '../events/record.js';
import { isBlocked } from '../blocks/store.js';
import { isoSeconds } from '../clock.js';
import type { AppContext } from '../context.js';
import type { Database } from '../db/schema.js';
import { ApiError, forbidden, notFound } from '../http/errors.js';
import type { Urls } from '../http/urls.js';
import { expireDueInvitationsInOrg } from '../invitations/expiry.js';
import { actorOf, addTeamToInvitation, attachInvitee, removeTeamFromInvitation, sendInvitation } from '../invitations/service.js';
import { pendingInvitationsFor } from '../invitations/store.js';
import { getMembership } from '../memberships/store.js';
import { isOwner, type OrgAccess } from '../orgs/access.js';
import { teamMembership, type TeamMembership } from './present.js';
import { managesTeam, visibleTeam } from './service.js';
import { deleteTeamMember, getTeamMember, isInheritedTeamMember, putTeamMember, type TeamRole, type TeamRow } from './store.js';

/** Who may change a team's members: org owners and the team's maintainers. */
async function requireTeamManager(db: Kysely<Database>, access: OrgAccess, row: TeamRow, action: string): Promise<void> {
  if (!(await managesTeam(db, access, row))) {
    throw forbidden(`You must be an organization owner or team maintainer to ${action} team memberships.`);
  }
}

async function teamUserOr404(ctx: AppContext, username: string): Promise<Account> {
  const user = await findAccount(ctx.db, username);
  if (!user) throw notFound();
  return user;
}

/**
 * `GET /orgs/{org}/teams/{team_slug}/memberships/{username}`: the user's membership of a team the caller may see, direct
 * (active or pending) or as an active member of one of its child teams; 404 for anyone else. Org owners are shown as
 * the team's maintainers, as GitHub documents.
 */
export async function getTeamMembership(ctx: AppContext, input: { access: OrgAccess; urls: Urls; slug: string; username: string }): Promise<TeamMembership> {
  const row = await visibleTeam(ctx, input.access, input.slug);
  const user = await teamUserOr404(ctx, input.username);
  const direct = await getTeamMember(ctx.db, row.id, user.id);
  if (!direct && !(await isInheritedTeamMember(ctx.db, row.id, user.id))) throw notFound();
  const inOrg = await getMembership(ctx.db, row.org_id, user.id);
  const owner = inOrg?.state === 'active' && inOrg.role === 'admin';
  return teamMembership(input.urls, row, user.login, { role: owner ? 'maintainer' : (direct?.role ?? 'member'), state: direct?.state ?? 'active' });
}

/**
 * `PUT /orgs/{org}/teams/{team_slug}/memberships/{username}`: adds an org member (or changes their team role); an
 * invitee gets the team added to their invitation; anyone else is invited to the org with this team (owners only).
 */
export async function setTeamMembership(
  ctx: AppContext,
  input: { access: OrgAccess; urls: Urls; requestId: string; slug: string; username: string; role: TeamRole },
): Promise<TeamMembership> {
  const { access, role } = input;
  const { org } = access;
  const caller = access.caller!;
  const row = await visibleTeam(ctx, access, input.slug);
  await requireTeamManager(ctx.db, access, row, 'add');
  const user = await teamUserOr404(ctx, input.username);
  if (user.type !== 'User') throw new ApiError(422, 'Cannot add an organization as a member of a team.');
  const now = ctx.clock.now();
  const nowIso = isoSeconds(now);
  const teamName = `${org.login}/${row.slug}`;
  const state = await ctx.db.transaction().execute(async (trx): Promise<'active' | 'pending'> => {
    await lockAccount(trx, ctx.dialect, org.id);
    await expireDueInvitationsInOrg(trx, org.id, now);
    const membership = await getMembership(trx, org.id, user.id);
    if (membership?.state === 'active') {
      // Billing managers are not members of the org, so they cannot be on its teams.
      if (membership.role === 'billing_manager') throw new ApiError(422, 'Billing managers cannot be added to teams.');
      const before = await getTeamMember(trx, row.id, user.id);
      if (before?.state === 'active' && before.role === role) return 'active';
      await putTeamMember(trx, { teamId: row.id, userId: user.id, role, state: 'active', now: nowIso });
      const action = before?.state !== 'active' ? 'team.add_member' : role === 'maintainer' ? 'team.promote_maintainer' : 'team.demote_maintainer';
      await recordEvent(trx, { action, actor: actorOf(caller), org, user, team: row, data: { team: teamName, role }, createdAt: nowIso });
      return 'active';
    }
    const [invitation] = await pendingInvitationsFor(trx, org.id, user);
    if (invitation) {
      const addressed = invitation.invitee_id === null ? await attachInvitee(trx, org, invitation, user, nowIso) : invitation;
      await addTeamToInvitation(trx, addressed, row, role, nowIso);
      return 'pending';
    }
    if (!isOwner(access)) throw forbidden('You must be an organization owner to invite people to the organization.');
    if (await isBlocked(trx, org.id, user.id)) throw new ApiError(422, 'You cannot invite a user who is blocked by the organization.');
    await sendInvitation(
      ctx,
      trx,
      { org, inviter: caller, requestId: input.requestId, invitee: { user, email: null }, role: 'direct_member', teams: [{ team: row, role }] },
      now,
    );
    return 'pending';
  });
  return teamMembership(input.urls, row, user.login, { role, state });
}

/** `DELETE /orgs/{org}/teams/{team_slug}/memberships/{username}`: off the team (or off the invitation's teams). */
export async function removeTeamMembership(ctx: AppContext, input: { access: OrgAccess; slug: string; username: string }): Promise<void> {
  const { access } = input;
  const { org } = access;
  const row = await visibleTeam(ctx, access, input.slug);
  await requireTeamManager(ctx.db, access, row, 'remove');
  const user = await teamUserOr404(ctx, input.username);
  const now = ctx.clock.now();
  const nowIso = isoSeconds(now);
  await ctx.db.transaction().execute(async (trx) => {
    await lockAccount(trx, ctx.dialect, org.id);
    await expireDueInvitationsInOrg(trx, org.id, now);
    const member = await getTeamMember(trx, row.id, user.id);
    const [invitation] = await pendingInvitationsFor(trx, org.id, user);
    const invited = invitation ? await removeTeamFromInvitation(trx, invitation, row.id, nowIso) : false;
    if (!member && !invited) throw notFound();
    if (member) await deleteTeamMember(trx, row.id, user.id);
    if (member?.state === 'active') {
      await recordEvent(trx, {
        action: 'team.remove_member',
        actor: actorOf(access.caller!),
        org,
        user,
        team: row,
        data: { team: `${org.login}/${row.slug}` },
        createdAt: nowIso,
      });
    }
  });
}
