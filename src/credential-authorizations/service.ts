import type { Kysely } from 'kysely';
import { findAccount, lockAccount, type Account } from '../accounts/store.js';
import { isoSeconds, type Clock } from '../clock.js';
import type { AppContext } from '../context.js';
import { idFromPath } from '../db/columns.js';
import type { Database } from '../db/schema.js';
import { recordEvent } from '../events/record.js';
import type { Caller } from '../http/auth/index.js';
import { notFound } from '../http/errors.js';
import type { PageRequest } from '../http/pagination.js';
import { actorOf } from '../members/common.js';
import {
  countAuthorizations,
  findActiveAuthorization,
  findAuthorization,
  insertAuthorization,
  listAuthorizations,
  revokeAuthorization,
  samlEnforced,
  setSamlEnforced,
  type ListedAuthorization,
} from './store.js';

/**
 * A member's token used on an org that enforces SAML SSO, for the first time: authorized for the org, as signing in
 * with the identity provider would (orghub has none), and recorded (`org_credential_authorization.grant`).
 * Returns the authorization, whoever made it (a parallel first use may have).
 */
export async function authorizeOnFirstUse(db: Kysely<Database>, clock: Clock, org: Account, caller: Caller) {
  return db.transaction().execute(async (trx) => {
    const now = isoSeconds(clock.now());
    const id = await insertAuthorization(trx, { orgId: org.id, tokenId: caller.tokenId, userId: caller.userId, now });
    if (id === undefined) return (await findAuthorization(trx, org.id, caller.tokenId))!;
    await recordEvent(trx, {
      action: 'org_credential_authorization.grant',
      actor: actorOf(caller),
      org,
      data: { credential_id: id, token_scopes: caller.scopes.join(',') },
      createdAt: now,
    });
    return { id, revoked_at: null };
  });
}

/** `GET /orgs/{org}/credential-authorizations`: one page, optionally of one login's credentials, and the total. */
export async function credentialAuthorizationsPage(
  ctx: AppContext,
  org: Account,
  login: string | undefined,
  page: PageRequest,
): Promise<{ rows: ListedAuthorization[]; total: number }> {
  let userId: number | undefined;
  if (login !== undefined) {
    // A login with a NUL character names no one (PostgreSQL text cannot even be compared with one).
    const user = login.includes('\u0000') ? undefined : await findAccount(ctx.db, login, 'User');
    if (!user) return { rows: [], total: 0 };
    userId = user.id;
  }
  const [rows, total] = await Promise.all([
    listAuthorizations(ctx.db, org.id, { userId, offset: page.offset, limit: page.perPage }),
    countAuthorizations(ctx.db, org.id, userId),
  ]);
  return { rows, total };
}

/**
 * `DELETE /orgs/{org}/credential-authorizations/{credential_id}`: the token loses its access to this org, for good
 * ("they will need to create a new personal access token"); elsewhere it works as before. 404 for an unknown or
 * already revoked credential. Recorded as `org_credential_authorization.revoke`, with the credential's owner.
 */
export async function revokeCredentialAuthorization(ctx: AppContext, org: Account, caller: Caller, credentialId: string): Promise<void> {
  const id = idFromPath(credentialId);
  if (id === undefined) throw notFound();
  const revoked = await ctx.db.transaction().execute(async (trx) => {
    await lockAccount(trx, ctx.dialect, org.id);
    const found = await findActiveAuthorization(trx, org.id, id);
    if (!found) throw notFound();
    const now = isoSeconds(ctx.clock.now());
    await revokeAuthorization(trx, id, now);
    await recordEvent(trx, {
      action: 'org_credential_authorization.revoke',
      actor: actorOf(caller),
      org,
      user: { id: found.user_id, login: found.login },
      data: { credential_id: id },
      createdAt: now,
    });
    return found;
  });
  // This process refuses the token at once; others within their cache window (README).
  ctx.saml.revoked(org.id, revoked.token_id, revoked.id);
}

/**
 * `PATCH /admin/organizations/{org}/saml` (orghub extension): turns SAML SSO enforcement on or off. orghub's SAML is
 * enforcement alone, so turning it on is what GitHub records as `org.enable_saml`, off as `org.disable_saml`.
 * Authorizations stay when it is turned off (revoked ones too), as they were when it is turned on again.
 */
export async function setSamlEnforcement(ctx: AppContext, caller: Caller, org: Account, enforced: boolean): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    await lockAccount(trx, ctx.dialect, org.id);
    if ((await samlEnforced(trx, org.id)) === enforced) return;
    await setSamlEnforced(trx, org.id, enforced);
    await recordEvent(trx, { action: enforced ? 'org.enable_saml' : 'org.disable_saml', actor: actorOf(caller), org, createdAt: isoSeconds(ctx.clock.now()) });
  });
}
