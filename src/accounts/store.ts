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
