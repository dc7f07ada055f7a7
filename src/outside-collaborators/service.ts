import { findAccount, lockAccount, type Account } from '../accounts/store.js';
import { recordEvent } from '../events/record.js';
import { isoSeconds } from '../clock.js';
import type { AppContext } from '../context.js';
import type { Caller } from '../http/auth/index.js';
import { ApiError, forbidden, notFound } from '../http/errors.js';
import { getMembership } from '../memberships/store.js';
import { actorOf } from '../members/common.js';
import { ensureNotLastOwner, isActiveMember, removeMemberFromOrg } from '../members/service.js';
import { addOutsideCollaborator, removeOutsideCollaborator } from './store.js';

async function userOr404(ctx: AppContext, username: string): Promise<Account> {
  const user = await findAccount(ctx.db, username, 'User');
  if (!user) throw notFound();
  return user;
}

/**
 * `PUT /orgs/{org}/outside_collaborators/{username}`: the member leaves the org as `removeMemberFromOrg`
 * does (teams included) and keeps outside-collaborator access. 403 for the last owner or a non-member.
 */
export async function convertMemberToOutsideCollaborator(ctx: AppContext, org: Account, caller: Caller, username: string): Promise<void> {
  const user = await userOr404(ctx, username);
  await ctx.db.transaction().execute(async (trx) => {
    await lockAccount(trx, ctx.dialect, org.id);
    const membership = await getMembership(trx, org.id, user.id);
    if (!isActiveMember(membership)) throw forbidden(`${user.login} is not a member of the ${org.login} organization.`);
    await ensureNotLastOwner(trx, org.id, membership!, 'Cannot convert the last owner to an outside collaborator');
    await removeMemberFromOrg(ctx, trx, { org, user, actor: caller });
    const now = isoSeconds(ctx.clock.now());
    await addOutsideCollaborator(trx, org.id, user.id, now);
    await recordEvent(trx, { action: 'org.add_outside_collaborator', actor: actorOf(caller), org, user, createdAt: now });
  });
}

/**
 * `DELETE /orgs/{org}/outside_collaborators/{username}`: drops the user's access to the org's repositories;
 * 422 for a member. A user without such access answers 204 all the same, as GitHub does.
 */
export async function removeOutsideCollaboratorFromOrg(ctx: AppContext, org: Account, caller: Caller, username: string): Promise<void> {
  const user = await userOr404(ctx, username);
  await ctx.db.transaction().execute(async (trx) => {
    await lockAccount(trx, ctx.dialect, org.id);
    if (isActiveMember(await getMembership(trx, org.id, user.id))) {
      throw new ApiError(422, 'You cannot specify an organization member to remove as an outside collaborator.');
    }
    if (await removeOutsideCollaborator(trx, org.id, user.id)) {
      const now = isoSeconds(ctx.clock.now());
      await recordEvent(trx, { action: 'org.remove_outside_collaborator', actor: actorOf(caller), org, user, createdAt: now });
    }
  });
}
