import { findAccount, lockAccount, type Account } from '../accounts/store.js';
import { recordEvent } from '../events/record.js';
import { isoSeconds } from '../clock.js';
import type { AppContext } from '../context.js';
import type { Caller } from '../http/auth/index.js';
import { ApiError, notFound } from '../http/errors.js';
import { cancelPendingInvitationsOf } from '../invitations/service.js';
import { getMembership } from '../memberships/store.js';
import { actorOf } from '../members/common.js';
import { removeOutsideCollaborator } from '../outside-collaborators/store.js';
import { deleteBlock, insertBlock, isBlocked } from './store.js';

async function accountOr404(ctx: AppContext, username: string): Promise<Account> {
  const account = await findAccount(ctx.db, username);
  if (!account) throw notFound();
  return account;
}

/**
 * `PUT /orgs/{org}/blocks/{username}`. Only users outside the org can be blocked (422 for organizations,
 * oneself and anyone holding an active membership). Blocking cancels the user's pending invitations and,
 * as GitHub does, removes them as a collaborator on the org's repositories. Blocking again is a no-op.
 */
export async function blockUser(ctx: AppContext, org: Account, caller: Caller, username: string): Promise<void> {
  const user = await accountOr404(ctx, username);
  if (user.type !== 'User') throw new ApiError(422, 'Blocking an organization is not allowed.');
  if (user.id === caller.userId) throw new ApiError(422, "You can't block yourself.");
  await ctx.db.transaction().execute(async (trx) => {
    await lockAccount(trx, ctx.dialect, org.id);
    if ((await getMembership(trx, org.id, user.id))?.state === 'active') {
      throw new ApiError(422, 'Blocking a member of the organization is not allowed.');
    }
    const now = isoSeconds(ctx.clock.now());
    if (!(await insertBlock(trx, org.id, user.id, now))) return;
    const actor = actorOf(caller);
    await recordEvent(trx, { action: 'org.block_user', actor, org, user, createdAt: now });
    await cancelPendingInvitationsOf(ctx, trx, { org, user, actor: caller });
    if (await removeOutsideCollaborator(trx, org.id, user.id)) {
      await recordEvent(trx, { action: 'org.remove_outside_collaborator', actor, org, user, createdAt: now });
    }
  });
}

/** `DELETE /orgs/{org}/blocks/{username}`: 204 whether or not the user was blocked. */
export async function unblockUser(ctx: AppContext, org: Account, caller: Caller, username: string): Promise<void> {
  const user = await accountOr404(ctx, username);
  await ctx.db.transaction().execute(async (trx) => {
    await lockAccount(trx, ctx.dialect, org.id);
    if (await deleteBlock(trx, org.id, user.id)) {
      await recordEvent(trx, { action: 'org.unblock_user', actor: actorOf(caller), org, user, createdAt: isoSeconds(ctx.clock.now()) });
    }
  });
}

/** `GET /orgs/{org}/blocks/{username}`: whether the org blocks that user. */
export async function isUserBlocked(ctx: AppContext, org: Account, username: string): Promise<boolean> {
  const user = await findAccount(ctx.db, username);
  return user !== undefined && (await isBlocked(ctx.db, org.id, user.id));
}
