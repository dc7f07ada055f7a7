import type { Transaction } from 'kysely';
import { findAccount, findAccountById, lockAccount, type Account } from '../accounts/store.js';
import { deleteBlock } from '../blocks/store.js';
import { isoSeconds } from '../clock.js';
import type { AppContext } from '../context.js';
import type { Database } from '../db/schema.js';
import { recordEvent } from '../events/record.js';
import type { Caller } from '../http/auth/index.js';
import { forbidden, notFound } from '../http/errors.js';
import { forgetInvitationsOf } from '../invitations/service.js';
import { ensureNotLastOwner, removeMemberFromOrg } from '../members/service.js';
import { getMembership } from '../memberships/store.js';
import { removeOutsideCollaborator } from '../outside-collaborators/store.js';
import { orgsTiedTo } from '../users/store.js';
import { actorOf, renameAccount, requireValidLogin } from './service.js';

// GHES's user administration (site admins only): renaming, deleting, suspending, promoting and demoting users.

export type TwoFactorState = 'enabled' | 'disabled' | 'insecure';

/** A change to a user, made with the user and the calling site admin locked and read again. */
type UserChange<T> = (trx: Transaction<Database>, user: Account, now: string) => Promise<T>;

/**
 * Runs `change` on the user `username` (404 for anyone else, organizations included) with both the user and the calling
 * site admin locked (in id order, so two admins acting on each other cannot deadlock) and read again: a caller demoted,
 * suspended or deleted meanwhile is refused. That, with `ownAccountRefused` (GHES: "any user account except your own"),
 * keeps at least one active site admin whatever runs in parallel. Every process then looks the user's tokens up again
 * (Authenticator.changeCallers), so their next request sees the change.
 */
async function changeUser<T>(ctx: AppContext, caller: Caller, username: string, ownAccountRefused: string | undefined, change: UserChange<T>): Promise<T> {
  const found = await findAccount(ctx.db, username, 'User');
  if (!found) throw notFound();
  if (ownAccountRefused && found.id === caller.userId) throw forbidden(ownAccountRefused);
  const now = isoSeconds(ctx.clock.now());
  return ctx.auth.changeCallers(async (trx) => {
    for (const id of [...new Set([found.id, caller.userId])].sort((a, b) => a - b)) await lockAccount(trx, ctx.dialect, id);
    const actor = await findAccountById(trx, caller.userId, 'User');
    if (actor?.site_admin !== 1 || actor.suspended === 1) throw forbidden('Must be a site administrator.');
    const user = await findAccountById(trx, found.id, 'User');
    if (!user) throw notFound();
    return change(trx, user, now);
  });
}

/** `PATCH /admin/users/{username}`: the user's new login; id, memberships, teams and tokens stay. */
export async function renameUser(ctx: AppContext, caller: Caller, username: string, login: string): Promise<Account> {
  return changeUser(ctx, caller, username, undefined, async (trx, user, now) => {
    requireValidLogin('User', login);
    const renamed = await renameAccount(trx, user, login, now);
    if (!renamed) return user;
    await recordEvent(trx, { action: 'user.rename', actor: actorOf(caller), user: renamed, data: { old_login: user.login }, createdAt: now });
    return renamed;
  });
}

/**
 * `DELETE /admin/users/{username}`: the user leaves every org (as a member removal, with its events and webhooks),
 * their invitations, outside collaborations and blocks go, then the account with its tokens. Refused (403, nothing
 * changed) while they are an org's only owner: GitHub has an account's only-owned orgs handed over before it is deleted.
 */
export async function deleteUser(ctx: AppContext, caller: Caller, username: string): Promise<void> {
  await changeUser(ctx, caller, username, 'You cannot delete your own account.', async (trx, user, now) => {
    for (const org of await orgsTiedTo(trx, user.id)) {
      await lockAccount(trx, ctx.dialect, org.id);
      const membership = await getMembership(trx, org.id, user.id);
      if (membership?.state === 'active') {
        await ensureNotLastOwner(trx, org.id, membership, `${user.login} is the only owner of ${org.login}: make someone else an owner first.`);
        await removeMemberFromOrg(ctx, trx, { org, user, actor: caller });
      }
      await forgetInvitationsOf(ctx, trx, { org, user, actor: caller });
      await removeOutsideCollaborator(trx, org.id, user.id);
      await deleteBlock(trx, org.id, user.id);
    }
    // Tokens and whatever else still names the account go with it (foreign keys cascade).
    await trx.deleteFrom('accounts').where('id', '=', user.id).execute();
    await recordEvent(trx, { action: 'user.destroy', actor: actorOf(caller), user, createdAt: now });
  });
}

/**
 * `PUT|DELETE /users/{username}/suspended`: a suspended user's tokens are refused (403) until the suspension is lifted.
 * The audit event keeps the reason, by default GHES's "Suspended via API by ADMIN".
 */
export async function setSuspended(ctx: AppContext, caller: Caller, username: string, suspended: boolean, reason: string | undefined): Promise<void> {
  await changeUser(ctx, caller, username, suspended ? 'You cannot suspend your own account.' : undefined, async (trx, user, now) => {
    if ((user.suspended === 1) === suspended) return;
    await trx.updateTable('accounts').set({ suspended: suspended ? 1 : 0, updated_at: now }).where('id', '=', user.id).execute();
    const data = { reason: reason ?? `${suspended ? 'Suspended' : 'Unsuspended'} via API by ${caller.login}` };
    await recordEvent(trx, { action: suspended ? 'user.suspend' : 'user.unsuspend', actor: actorOf(caller), user, data, createdAt: now });
  });
}

/** `PUT|DELETE /users/{username}/site_admin`: promotes a user to site administrator, or demotes one. */
export async function setSiteAdmin(ctx: AppContext, caller: Caller, username: string, siteAdmin: boolean): Promise<void> {
  await changeUser(ctx, caller, username, siteAdmin ? undefined : 'You cannot demote your own account.', async (trx, user, now) => {
    if ((user.site_admin === 1) === siteAdmin) return;
    await trx.updateTable('accounts').set({ site_admin: siteAdmin ? 1 : 0, updated_at: now }).where('id', '=', user.id).execute();
    await recordEvent(trx, { action: siteAdmin ? 'user.promote' : 'user.demote', actor: actorOf(caller), user, createdAt: now });
  });
}

/** `PUT /admin/users/{username}/two_factor` (orghub extension): the two-factor state the members `filter` reads. */
export async function setTwoFactor(ctx: AppContext, caller: Caller, username: string, state: TwoFactorState): Promise<void> {
  await changeUser(ctx, caller, username, undefined, async (trx, user, now) => {
    if (user.two_factor === state) return;
    await trx.updateTable('accounts').set({ two_factor: state, updated_at: now }).where('id', '=', user.id).execute();
    const action = state === 'disabled' ? 'two_factor_authentication.disabled' : 'two_factor_authentication.enabled';
    await recordEvent(trx, { action, actor: actorOf(caller), user, data: { two_factor: state }, createdAt: now });
  });
}
