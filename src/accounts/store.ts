import type { Kysely, Selectable, Transaction } from 'kysely';
import type { DialectName } from '../db/connect.js';
import { isStoredId } from '../db/columns.js';
import { precompiled } from '../db/prepared.js';
import type { AccountTable, Database } from '../db/schema.js';

/** Users and organizations share the accounts table and its id sequence. */
export type Account = Selectable<AccountTable>;

// Compiled once each: most routes look an account up by login.
const selectAccountByLogin = precompiled((db, loginLower: string) => db.selectFrom('accounts').selectAll().where('login_lower', '=', loginLower));
const selectAccountByLoginAndType = precompiled((db, loginLower: string, type: string) =>
  db.selectFrom('accounts').selectAll().where('login_lower', '=', loginLower).where('type', '=', type as Account['type']),
);

/**
 * The account a route's `{username}` names, joined as `n` to the statement that reads the token or the org
 * (Operation.readsNamedUser), its columns prefixed `n_` (a left join: all null when there is no such account).
 */
export const NAMED_ACCOUNT_COLUMNS = [
  'n.id as n_id', 'n.login as n_login', 'n.login_lower as n_login_lower', 'n.type as n_type', 'n.name as n_name', 'n.email as n_email', 'n.company as n_company', 'n.blog as n_blog', 'n.location as n_location', 'n.bio as n_bio', 'n.twitter_username as n_twitter_username', 'n.description as n_description', 'n.site_admin as n_site_admin', 'n.two_factor as n_two_factor', 'n.suspended as n_suspended', 'n.saml_sso_enforced as n_saml_sso_enforced', 'n.settings as n_settings', 'n.created_at as n_created_at', 'n.updated_at as n_updated_at'
] as const;

type NamedAccountRow = { [K in keyof Account as `n_${K}`]: Account[K] | null };

/** The account of NAMED_ACCOUNT_COLUMNS, as a literal (see orgs/access.ts `accountOf`); undefined when none matched. */
export function namedAccountOf(row: NamedAccountRow): Account | undefined {
  if (row.n_id === null) return undefined;
  const r = row as { [K in keyof NamedAccountRow]: NonNullable<NamedAccountRow[K]> };
  return {
    id: r.n_id,
    login: r.n_login,
    login_lower: r.n_login_lower,
    type: r.n_type,
    name: row.n_name,
    email: row.n_email,
    company: row.n_company,
    blog: row.n_blog,
    location: row.n_location,
    bio: row.n_bio,
    twitter_username: row.n_twitter_username,
    description: row.n_description,
    site_admin: r.n_site_admin,
    two_factor: r.n_two_factor,
    suspended: r.n_suspended,
    saml_sso_enforced: r.n_saml_sso_enforced,
    settings: row.n_settings,
    created_at: r.n_created_at,
    updated_at: r.n_updated_at,
  };
}

export async function findAccount(db: Kysely<Database>, login: string, type?: Account['type']): Promise<Account | undefined> {
  const loginLower = login.toLowerCase();
  const [account] = type ? await selectAccountByLoginAndType(db, loginLower, type) : await selectAccountByLogin(db, loginLower);
  return account;
}

export async function findAccountById(db: Kysely<Database>, id: number, type?: Account['type']): Promise<Account | undefined> {
  if (!isStoredId(id)) return undefined;
  let query = db.selectFrom('accounts').selectAll().where('id', '=', id);
  if (type) query = query.where('type', '=', type);
  return query.executeTakeFirst();
}

/** The accounts among `ids` that exist, in one query. */
export async function findAccountsByIds(db: Kysely<Database>, ids: number[]): Promise<Account[]> {
  const stored = ids.filter(isStoredId);
  return stored.length === 0 ? [] : db.selectFrom('accounts').selectAll().where('id', 'in', stored).execute();
}

export async function loginTaken(db: Kysely<Database>, login: string): Promise<boolean> {
  return (await findAccount(db, login)) !== undefined;
}

export interface NewAccount {
  login: string;
  type: Account['type'];
  email?: string | null;
  name?: string | null;
  siteAdmin?: boolean;
  suspended?: boolean;
  settings?: string | null;
  now: string;
}

/** The accounts row of a new user or organization. */
export function newAccountRow(input: NewAccount) {
  return {
    login: input.login,
    login_lower: input.login.toLowerCase(),
    type: input.type,
    name: input.name ?? null,
    email: input.email ?? null,
    company: null,
    blog: null,
    location: null,
    bio: null,
    twitter_username: null,
    description: null,
    site_admin: input.siteAdmin ? (1 as const) : (0 as const),
    two_factor: 'disabled',
    suspended: input.suspended ? (1 as const) : (0 as const),
    settings: input.settings ?? null,
    created_at: input.now,
    updated_at: input.now,
  };
}

export async function insertAccount(db: Kysely<Database>, input: NewAccount): Promise<Account> {
  return db.insertInto('accounts').values(newAccountRow(input)).returningAll().executeTakeFirstOrThrow();
}

/** GitHub's login rule: alphanumerics and single hyphens, not at either end, at most 39 characters. */
export function isValidLogin(login: string): boolean {
  return /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/.test(login);
}

/**
 * Serializes the changes of one account (an org's memberships, teams and settings; a user's state) across processes:
 * a PostgreSQL row lock held to the end of the transaction, so each change reads what the previous one wrote and rules
 * such as "never zero owners" hold. SQLite's write transactions take the database's write lock at their start already.
 */
export async function lockAccount(trx: Transaction<Database>, dialect: DialectName, accountId: number): Promise<void> {
  if (dialect === 'postgres') {
    await trx.selectFrom('accounts').select('id').where('id', '=', accountId).forUpdate().execute();
  }
}
