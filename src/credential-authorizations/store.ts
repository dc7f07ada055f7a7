import type { Kysely } from 'kysely';
import { isStoredId } from '../db/columns.js';
import type { Database } from '../db/schema.js';
import { splitScopes } from '../tokens/store.js';

/** A credential authorization as listed: with its token and the token's owner. */
export interface ListedAuthorization {
  id: number;
  login: string;
  tokenId: number;
  tokenLastEight: string;
  scopes: string[];
  authorizedAt: string;
  accessedAt: string;
}

/** The authorization of one token for one org, revoked or not. */
export async function findAuthorization(db: Kysely<Database>, orgId: number, tokenId: number) {
  return db
    .selectFrom('credential_authorizations')
    .select(['id', 'revoked_at'])
    .where('org_id', '=', orgId)
    .where('token_id', '=', tokenId)
    .executeTakeFirst();
}

/** Authorizes the token for the org; undefined when it already was (a parallel first use won). */
export async function insertAuthorization(db: Kysely<Database>, row: { orgId: number; tokenId: number; userId: number; now: string }): Promise<number | undefined> {
  const inserted = await db
    .insertInto('credential_authorizations')
    .values({ org_id: row.orgId, token_id: row.tokenId, user_id: row.userId, authorized_at: row.now, accessed_at: row.now, revoked_at: null })
    .onConflict((oc) => oc.columns(['org_id', 'token_id']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted?.id;
}

/** The org's authorization `id` if it is not revoked, with its token and owner. */
export async function findActiveAuthorization(db: Kysely<Database>, orgId: number, id: number) {
  if (!isStoredId(id)) return undefined;
  return db
    .selectFrom('credential_authorizations as c')
    .innerJoin('accounts as u', 'u.id', 'c.user_id')
    .select(['c.id', 'c.token_id', 'c.user_id', 'u.login'])
    .where('c.org_id', '=', orgId)
    .where('c.id', '=', id)
    .where('c.revoked_at', 'is', null)
    .executeTakeFirst();
}

export async function revokeAuthorization(db: Kysely<Database>, id: number, now: string): Promise<void> {
  await db.updateTable('credential_authorizations').set({ revoked_at: now }).where('id', '=', id).execute();
}

function activeOf(db: Kysely<Database>, orgId: number, userId: number | undefined) {
  let query = db.selectFrom('credential_authorizations as c').where('c.org_id', '=', orgId).where('c.revoked_at', 'is', null);
  if (userId !== undefined) query = query.where('c.user_id', '=', userId);
  return query;
}

/** One page of the org's authorizations that are not revoked, in id order, optionally of one user. */
export async function listAuthorizations(
  db: Kysely<Database>,
  orgId: number,
  options: { userId?: number; offset: number; limit: number },
): Promise<ListedAuthorization[]> {
  const rows = await activeOf(db, orgId, options.userId)
    .innerJoin('tokens as t', 't.id', 'c.token_id')
    .innerJoin('accounts as u', 'u.id', 'c.user_id')
    .select(['c.id', 'u.login', 't.id as token_id', 't.token_last_eight', 't.scopes', 'c.authorized_at', 'c.accessed_at'])
    .orderBy('c.id')
    .offset(options.offset)
    .limit(options.limit)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    login: row.login,
    tokenId: row.token_id,
    tokenLastEight: row.token_last_eight,
    scopes: splitScopes(row.scopes),
    authorizedAt: row.authorized_at,
    accessedAt: row.accessed_at,
  }));
}

export async function countAuthorizations(db: Kysely<Database>, orgId: number, userId?: number): Promise<number> {
  const { n } = await activeOf(db, orgId, userId).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(n);
}

/** Moves `accessed_at` of the given authorizations forward to `at` (never back: another process may have written later). */
export async function touchAuthorizations(db: Kysely<Database>, ids: number[], at: string): Promise<void> {
  await db.updateTable('credential_authorizations').set({ accessed_at: at }).where('id', 'in', ids).where('accessed_at', '<', at).execute();
}

/** Whether the org enforces SAML SSO, read under the caller's lock. */
export async function samlEnforced(db: Kysely<Database>, orgId: number): Promise<boolean> {
  const row = await db.selectFrom('accounts').select('saml_sso_enforced').where('id', '=', orgId).executeTakeFirstOrThrow();
  return row.saml_sso_enforced === 1;
}

export async function setSamlEnforced(db: Kysely<Database>, orgId: number, enforced: boolean): Promise<void> {
  await db.updateTable('accounts').set({ saml_sso_enforced: enforced ? 1 : 0 }).where('id', '=', orgId).execute();
}
