import { hash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { precompiled } from '../db/prepared.js';

export function hashToken(token: string): string {
  return hash('sha256', token, 'hex');
}

/** A new classic personal access token: `ghp_` and 36 base62 characters, as GitHub issues them. */
export function generateToken(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(36);
  return 'ghp_' + Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

export interface TokenOwner {
  /** The token's own id (what SAML credential authorizations are of). */
  tokenId: number;
  userId: number;
  login: string;
  siteAdmin: boolean;
  suspended: boolean;
  scopes: string[];
}

/** The token's owner by the token's hash; compiled once, as every request whose token this process has not cached runs it. */
const selectTokenOwner = precompiled((db, tokenHash: string) =>
  db
    .selectFrom('tokens')
    .innerJoin('accounts', 'accounts.id', 'tokens.user_id')
    .select(['tokens.id as token_id', 'accounts.id', 'accounts.login', 'accounts.site_admin', 'accounts.suspended', 'tokens.scopes'])
    .where('tokens.token_hash', '=', tokenHash),
);

export async function findTokenOwner(db: Kysely<Database>, token: string): Promise<TokenOwner | undefined> {
  const [row] = await selectTokenOwner(db, hashToken(token));
  if (!row) return undefined;
  return {
    tokenId: row.token_id,
    userId: row.id,
    login: row.login,
    siteAdmin: row.site_admin === 1,
    suspended: row.suspended === 1,
    scopes: splitScopes(row.scopes),
  };
}

export function splitScopes(stored: string): string[] {
  return stored ? stored.split(',') : [];
}

export async function insertToken(
  db: Kysely<Database>,
  userId: number,
  token: string,
  scopes: readonly string[],
  now: string,
) {
  return db
    .insertInto('tokens')
    .values({
      user_id: userId,
      token_hash: hashToken(token),
      token_last_eight: token.slice(-8),
      scopes: [...scopes].join(','),
      created_at: now,
      updated_at: now,
    })
    .returning(['id', 'created_at', 'updated_at'])
    .executeTakeFirstOrThrow();
}

export async function deleteTokensOf(db: Kysely<Database>, userId: number): Promise<void> {
  await db.deleteFrom('tokens').where('user_id', '=', userId).execute();
}
