import type { Transaction } from 'kysely';
import { isoSeconds } from '../clock.js';
import type { AppContext } from '../context.js';
import type { Database } from '../db/schema.js';
import { recordEvent } from '../events/record.js';
import { findAccount, findAccountById, insertAccount, isValidLogin, lockAccount, type Account } from '../accounts/store.js';
import type { Caller } from '../http/auth/index.js';
import { invalidField, notFound } from '../http/errors.js';
import { KNOWN_SCOPES } from '../http/scopes.js';
import { deleteTokensOf, generateToken, insertToken } from '../tokens/store.js';
import { defaultOrgSettings } from '../orgs/settings.js';
import { putMembership } from '../memberships/store.js';

export const actorOf = (caller: Caller | null) => (caller ? { id: caller.userId, login: caller.login } : null);

// A login already taken is refused by the accounts table's unique key, answered in src/http/store-refusals.ts.
export function requireValidLogin(resource: string, login: string): void {
  if (!isValidLogin(login)) throw invalidField(resource, 'login', 'invalid', 'login is invalid');
}

/**
 * Gives a locked, current account its new login: the id, and so every membership, team, hook and token, stays; the old
 * login names nothing afterwards. Undefined when the login is unchanged (nothing to record).
 */
export async function renameAccount(trx: Transaction<Database>, current: Account, login: string, now: string): Promise<Account | undefined> {
  if (current.login === login) return undefined;
  return trx
    .updateTable('accounts')
    .set({ login, login_lower: login.toLowerCase(), updated_at: now })
    .where('id', '=', current.id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** `POST /admin/users`. */
export async function createUser(
  ctx: AppContext,
  caller: Caller | null,
  input: { login: string; email?: string; suspended?: boolean; siteAdmin?: boolean },
): Promise<Account> {
  requireValidLogin('User', input.login);
  const now = isoSeconds(ctx.clock.now());
  return ctx.db.transaction().execute(async (trx) => {
    const user = await insertAccount(trx, {
      login: input.login,
      type: 'User',
      email: input.email ?? null,
      suspended: input.suspended,
      siteAdmin: input.siteAdmin,
      now,
    });
    await recordEvent(trx, { action: 'user.create', actor: actorOf(caller) ?? user, user, createdAt: now });
    return user;
  });
}

/** `POST /admin/organizations`: the org, with `admin` its first (active) owner. */
export async function createOrganization(
  ctx: AppContext,
  caller: Caller,
  input: { login: string; admin: string; profile_name?: string },
): Promise<Account> {
  requireValidLogin('Organization', input.login);
  const admin = await findAccount(ctx.db, input.admin, 'User');
  if (!admin) throw invalidField('Organization', 'admin', 'invalid', `admin ${input.admin} is not a user`);
  const now = isoSeconds(ctx.clock.now());
  return ctx.db.transaction().execute(async (trx) => {
    const org = await insertAccount(trx, {
      login: input.login,
      type: 'Organization',
      name: input.profile_name ?? null,
      settings: JSON.stringify(defaultOrgSettings),
      now,
    });
    await putMembership(trx, { orgId: org.id, userId: admin.id, role: 'admin', state: 'active', now });
    const actor = actorOf(caller);
    await recordEvent(trx, { action: 'org.create', actor, org, createdAt: now });
    await recordEvent(trx, { action: 'org.add_member', actor, org, user: admin, data: { permission: 'admin' }, createdAt: now });
    return org;
  });
}

/**
 * `PATCH /admin/organizations/{org}`: the org's new login. Its id, members, teams and hooks stay; the old login names
 * nothing afterwards. A login another account holds is refused by the accounts table's unique key.
 */
export async function renameOrganization(ctx: AppContext, caller: Caller, org: Account, login: string): Promise<Account> {
  requireValidLogin('Organization', login);
  const now = isoSeconds(ctx.clock.now());
  return ctx.db.transaction().execute(async (trx) => {
    await lockAccount(trx, ctx.dialect, org.id);
    const current = await findAccountById(trx, org.id, 'Organization');
    if (!current) throw notFound();
    const renamed = await renameAccount(trx, current, login, now);
    if (!renamed) return current;
    await recordEvent(trx, { action: 'org.rename', actor: actorOf(caller), org: renamed, previousLogin: current.login, data: { old_login: current.login }, createdAt: now });
    return renamed;
  });
}

/** `POST /admin/users/{username}/authorizations`: a new classic token for the user; only its hash is kept. */
export async function createImpersonationToken(ctx: AppContext, caller: Caller | null, username: string, scopes: string[]) {
  const user = await findAccount(ctx.db, username, 'User');
  if (!user) throw notFound();
  const unknown = scopes.find((scope) => !KNOWN_SCOPES.has(scope));
  if (unknown !== undefined) throw invalidField('OauthAccess', 'scopes', 'invalid', `${unknown} is not a valid scope`);
  const token = generateToken();
  const now = isoSeconds(ctx.clock.now());
  const row = await ctx.db.transaction().execute(async (trx) => {
    const inserted = await insertToken(trx, user.id, token, scopes, now);
    await recordEvent(trx, { action: 'oauth_access.create', actor: actorOf(caller), user, data: { scopes }, createdAt: now });
    return inserted;
  });
  return { user, token, scopes, id: row.id, createdAt: row.created_at };
}

/** `DELETE /admin/users/{username}/authorizations`: revokes every token of the user. */
export async function deleteImpersonationTokens(ctx: AppContext, caller: Caller, username: string): Promise<void> {
  const user = await findAccount(ctx.db, username, 'User');
  if (!user) throw notFound();
  const now = isoSeconds(ctx.clock.now());
  await ctx.auth.changeCallers(async (trx) => {
    await deleteTokensOf(trx, user.id);
    await recordEvent(trx, { action: 'oauth_access.destroy', actor: actorOf(caller), user, createdAt: now });
  });
}
