import { sql, type ExpressionBuilder, type Kysely, type Selectable, type SqlBool } from 'kysely';
import type { AuditEventTable, Database } from '../db/schema.js';

export type AuditEventRow = Selectable<AuditEventTable>;

/** A place in the listing order: events are ordered by (created_at, id). */
export interface Position {
  createdAt: string;
  id: number;
}

/** One search condition on stored columns (logins already resolved to account ids: null for a login no account has). */
export type Condition =
  | { column: 'action' | 'category'; value: string; negated: boolean }
  | { column: 'team' | 'repo'; value: string; negated: boolean }
  | { column: 'actor_id' | 'user_id'; value: number | null; negated: boolean }
  | { column: 'created_at'; from?: string; to?: string; negated: boolean }
  | { column: 'text'; value: string; negated: boolean };

export interface AuditSearch {
  orgId: number;
  /** `created_at` from `since` (retention, GitHub's default three months, `created:`) to before `until`. */
  since: string;
  until?: string;
  conditions: Condition[];
  /** `web`: every event but Git events; `git`: Git events only. */
  include: 'web' | 'git' | 'all';
  order: 'asc' | 'desc';
  /** Events after this place in `order`, or (`before`) the nearest ones before it. */
  after?: Position;
  before?: Position;
  limit: number;
}

type Where = ExpressionBuilder<Database, 'audit_events'>;

const never = sql<SqlBool>`1 = 0`;
const always = sql<SqlBool>`1 = 1`;

function condition(eb: Where, c: Condition) {
  switch (c.column) {
    case 'action':
    case 'category':
      return eb(c.column, c.negated ? '<>' : '=', c.value);
    case 'team':
    case 'repo':
    case 'actor_id':
    case 'user_id': {
      if (c.value === null) return c.negated ? always : never;
      // An event without the field is not one with that value: negation keeps it.
      return c.negated ? eb.or([eb(c.column, 'is', null), eb(c.column, '<>', c.value)]) : eb(c.column, '=', c.value);
    }
    case 'created_at': {
      const bounds = [...(c.from === undefined ? [] : [eb('created_at', '>=', c.from)]), ...(c.to === undefined ? [] : [eb('created_at', '<', c.to)])];
      if (!c.negated) return eb.and(bounds);
      const outside = [...(c.from === undefined ? [] : [eb('created_at', '<', c.from)]), ...(c.to === undefined ? [] : [eb('created_at', '>=', c.to)])];
      return outside.length === 0 ? never : eb.or(outside);
    }
    case 'text': {
      // Free text is a substring of the action; LIKE's wildcards in it (`_` is in most actions) are taken literally.
      const pattern = `%${c.value.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
      const match = sql<SqlBool>`${sql.ref('action')} like ${pattern} escape ${'\\'}`;
      return c.negated ? eb.not(match) : match;
    }
  }
}

/**
 * The search as one statement: the org's events since `since`, filtered, in (created_at, id) order from the cursor on.
 * Each qualifier's index (src/db/migrations/006_audit_log_and_saml.ts) yields rows in that order, so a page reads about
 * `limit` index entries. Exposed unexecuted for EXPLAIN in tests and the benchmark.
 */
export function auditSearchQuery(db: Kysely<Database>, search: AuditSearch) {
  // The page before a cursor is read nearest first, i.e. in the opposite order, and turned around after.
  const backwards = search.before !== undefined;
  const direction = (search.order === 'desc') !== backwards ? 'desc' : 'asc';
  let query = db.selectFrom('audit_events').selectAll().where('org_id', '=', search.orgId).where('created_at', '>=', search.since);
  if (search.until !== undefined) query = query.where('created_at', '<', search.until);
  for (const c of search.conditions) query = query.where((eb) => condition(eb, c));
  if (search.include !== 'all') query = query.where('category', search.include === 'git' ? '=' : '<>', 'git');
  const cursor = search.after ?? search.before;
  if (cursor) {
    query = query.where((eb) => eb(eb.refTuple('created_at', 'id'), direction === 'desc' ? '<' : '>', eb.tuple(cursor.createdAt, cursor.id)));
  }
  return query.orderBy('created_at', direction).orderBy('id', direction).limit(search.limit);
}

/** The events of one search, in the order asked for. */
export async function searchAuditEvents(db: Kysely<Database>, search: AuditSearch): Promise<AuditEventRow[]> {
  const rows = await auditSearchQuery(db, search).execute();
  return search.before !== undefined ? rows.reverse() : rows;
}

/** Account ids by lower-cased login, for `actor:` and `user:`. */
export async function accountIdsByLogin(db: Kysely<Database>, logins: string[]): Promise<Map<string, number>> {
  const lower = [...new Set(logins.map((login) => login.toLowerCase()))];
  if (lower.length === 0) return new Map();
  const rows = await db.selectFrom('accounts').select(['id', 'login_lower']).where('login_lower', 'in', lower).execute();
  return new Map(rows.map((row) => [row.login_lower, row.id]));
}

/** Deletes up to `batch` events recorded before `cutoff` (ISO); returns how many. */
export async function pruneAuditEvents(db: Kysely<Database>, cutoff: string, batch: number): Promise<number> {
  const result = await db
    .deleteFrom('audit_events')
    .where('id', 'in', (eb) => eb.selectFrom('audit_events').select('id').where('created_at', '<', cutoff).limit(batch))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
