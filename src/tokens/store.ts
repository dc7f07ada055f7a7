import { hash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { precompiled } from '../db/prepared.js';
import { NAMED_ACCOUNT_COLUMNS, namedAccountOf, type Account } from '../accounts/store.js';
import { STORED_USER_WINDOW_COLUMNS, STORED_USER_WINDOW_JOIN, storedWindowOf, type StoredWindow } from '../ratelimit/limiter.js';

export function hashToken(token: string): string {
  return hash('sha256', token, 'hex');
}

function base62(length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(randomBytes(length), (b) => alphabet[b % alphabet.length]).join('');
}

/** A new classic personal access token: `ghp_` and 36 base62 characters, as GitHub issues them. */
export function generateToken(): string {
  return 'ghp_' + base62(36);
}

/** A new fine-grained personal access token in GitHub's format: `github_pat_`, 22 characters, `_`, 59 characters. */
export function generateFineGrainedToken(): string {
  return `github_pat_${base62(22)}_${base62(59)}`;
}

export interface TokenOwner {
  /** The token's own id (what SAML credential authorizations are of). */
  tokenId: number;
  userId: number;
  login: string;
  siteAdmin: boolean;
  suspended: boolean;
  kind: 'classic' | 'fine-grained';
  scopes: string[];
  /** Fine-grained tokens: the only account they act on, their permissions (JSON) and expiry. */
  resourceOwnerId: number | null;
  permissions: string | null;
  expiresAt: string | null;
  /** The user's `core` rate-limit window, read with the token (src/ratelimit/limiter.ts). */
  storedWindow: StoredWindow;
}

/**
 * The columns a token owner is read from: the token as `t`, its user as `u`, joined with the user's rate-limit window
 * as `rl` on STORED_USER_WINDOW_JOIN (also read with an org, src/orgs/access.ts).
 */
export const TOKEN_OWNER_COLUMNS = [
  't.id as token_id', 'u.id as user_id', 'u.login as user_login', 'u.site_admin as user_site_admin', 'u.suspended as user_suspended',
  't.scopes', 't.kind', 't.resource_owner_id', 't.permissions', 't.expires_at', ...STORED_USER_WINDOW_COLUMNS,
] as const;

/** The token's owner by the token's hash; compiled once, as every request whose token this process has not cached runs it. */
const selectTokenOwner = precompiled((db, tokenHash: string) =>
  db
    .selectFrom('tokens as t')
    .innerJoin('accounts as u', 'u.id', 't.user_id')
    .leftJoin('rate_limits as rl', (join) => join.on(STORED_USER_WINDOW_JOIN))
    .select(TOKEN_OWNER_COLUMNS)
    .where('t.token_hash', '=', tokenHash),
);

/** The same, with the account a route's `{username}` names (Operation.readsNamedUser) as `n`. */
const selectTokenOwnerNaming = precompiled((db, tokenHash: string, namedLower: string) =>
  db
    .selectFrom('tokens as t')
    .innerJoin('accounts as u', 'u.id', 't.user_id')
    .leftJoin('rate_limits as rl', (join) => join.on(STORED_USER_WINDOW_JOIN))
    .leftJoin('accounts as n', (join) => join.on('n.login_lower', '=', namedLower))
    .select(TOKEN_OWNER_COLUMNS)
    .select(NAMED_ACCOUNT_COLUMNS)
    .where('t.token_hash', '=', tokenHash),
);

export async function findTokenOwner(db: Kysely<Database>, token: string): Promise<TokenOwner | undefined> {
  const [row] = await selectTokenOwner(db, hashToken(token));
  return row && tokenOwnerOf(row);
}

/** The token's owner and the account `named` (a login; undefined when there is none), in one statement. */
export async function findTokenOwnerNaming(db: Kysely<Database>, token: string, named: string): Promise<{ owner: TokenOwner; account: Account | undefined } | undefined> {
  const [row] = await selectTokenOwnerNaming(db, hashToken(token), named.toLowerCase());
  return row && { owner: tokenOwnerOf(row), account: namedAccountOf(row) };
}

type TokenOwnerRow = Awaited<ReturnType<typeof selectTokenOwner>>[number];

/** A row holding TOKEN_OWNER_COLUMNS as a TokenOwner. */
export function tokenOwnerOf(row: TokenOwnerRow): TokenOwner {
  return {
    tokenId: row.token_id,
    userId: row.user_id,
    login: row.user_login,
    siteAdmin: row.user_site_admin === 1,
    suspended: row.user_suspended === 1,
    kind: row.kind,
    scopes: splitScopes(row.scopes),
    resourceOwnerId: row.resource_owner_id,
    permissions: row.permissions,
    expiresAt: row.expires_at,
    storedWindow: storedWindowOf(row),
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

/** A fine-grained token of `userId` acting on `resourceOwnerId` with `permissions` (JSON) until `expiresAt`. */
export async function insertFineGrainedToken(
  db: Kysely<Database>,
  token: { userId: number; token: string; resourceOwnerId: number; permissions: string; expiresAt: string | null; now: string },
) {
  return db
    .insertInto('tokens')
    .values({
      user_id: token.userId,
      token_hash: hashToken(token.token),
      token_last_eight: token.token.slice(-8),
      kind: 'fine-grained',
      scopes: '',
      resource_owner_id: token.resourceOwnerId,
      permissions: token.permissions,
      expires_at: token.expiresAt,
      created_at: token.now,
      updated_at: token.now,
    })
    .returning(['id', 'created_at'])
    .executeTakeFirstOrThrow();
}

/** Every token of the user, classic and fine-grained. */
export async function deleteTokensOf(db: Kysely<Database>, userId: number): Promise<void> {
  await db.deleteFrom('tokens').where('user_id', '=', userId).execute();
}
