import type { Kysely } from 'kysely';
import type { Account } from '../accounts/store.js';
import { isoSeconds, type Clock } from '../clock.js';
import { isStoredId } from '../db/columns.js';
import type { Database } from '../db/schema.js';
import { ApiError, invalidField } from '../http/errors.js';
import { parsePhrase, PhraseError, type Term } from './phrase.js';
import { accountIdsByLogin, searchAuditEvents, type AuditEventRow, type AuditSearch, type Condition, type Position } from './store.js';

export interface AuditLogQuery {
  phrase?: string;
  include?: 'web' | 'git' | 'all';
  order?: 'asc' | 'desc';
  after?: string;
  before?: string;
  perPage: number;
}

export interface AuditLogPage {
  rows: AuditEventRow[];
  /** Cursors of the pages after and before this one, where there are such events. */
  next?: string;
  prev?: string;
}

/** What a search needs from the server. */
export interface AuditContext {
  db: Kysely<Database>;
  clock: Clock;
  /** Events older than this many days are gone (src/audit/retention.ts prunes them). */
  retentionDays: number;
}

const DAY_MS = 86_400_000;
/** Instants a stored ISO timestamp can hold (years 0000–9999): a bound beyond them is one of them. */
const EARLIEST = new Date('0000-01-01T00:00:00Z').getTime();
const LATEST = new Date('9999-12-31T23:59:59Z').getTime();

/** A time bound as the stored `created_at` compares with it: events have whole seconds, so `>= t` is `>= ceil(t)`. */
function storedBound(ms: number): string {
  return isoSeconds(new Date(Math.min(LATEST, Math.max(EARLIEST, Math.ceil(ms / 1000) * 1000))));
}

/** An event's place in the listing, as `after`/`before` carry it: opaque to clients. */
const cursorOf = (row: Pick<AuditEventRow, 'created_at' | 'id'>) => Buffer.from(`${row.created_at}/${row.id}`).toString('base64url');

function readCursor(name: 'after' | 'before', cursor: string | undefined): Position | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const match = /^[A-Za-z0-9_-]+$/.test(cursor) ? /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)\/(\d{1,10})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8')) : null;
  if (!match || !isStoredId(Number(match[2]))) throw invalidField('AuditLog', name, 'invalid', `${name} is not a cursor this list gave`);
  return { createdAt: match[1], id: Number(match[2]) };
}

/** A phrase term as a condition on the stored columns (a `created:` range not negated narrows the search's span instead). */
function conditionOf(term: Term, ids: Map<string, number>): Condition {
  switch (term.field) {
    case 'created':
      return {
        column: 'created_at',
        negated: term.negated,
        from: term.range.from === undefined ? undefined : storedBound(term.range.from),
        to: term.range.to === undefined ? undefined : storedBound(term.range.to),
      };
    case 'action':
      // No dot: the category (`action:org` is every `org.…` action).
      return { column: term.value.includes('.') ? 'action' : 'category', value: term.value, negated: term.negated };
    case 'actor':
    case 'user':
      // An event names the account it was about by id: events recorded before a rename are found by the new login.
      return { column: term.field === 'actor' ? 'actor_id' : 'user_id', value: ids.get(term.value.toLowerCase()) ?? null, negated: term.negated };
    case 'repo':
    case 'team':
      return { column: term.field, value: term.value, negated: term.negated };
    case 'text':
      return { column: 'text', value: term.value, negated: term.negated };
  }
}

/** The search a request asks for; a malformed phrase or cursor is a 422 saying what is wrong. */
export async function auditSearch(ctx: AuditContext, org: Pick<Account, 'id'>, query: AuditLogQuery): Promise<AuditSearch> {
  let terms: Term[];
  try {
    terms = parsePhrase(query.phrase ?? '');
  } catch (error) {
    if (!(error instanceof PhraseError)) throw error;
    throw new ApiError(422, `Invalid phrase: ${error.message}.`, { errors: [{ resource: 'AuditLog', field: 'phrase', code: 'invalid', message: error.message }] });
  }
  const after = readCursor('after', query.after);
  const before = readCursor('before', query.before);
  if (after && before) throw invalidField('AuditLog', 'before', 'invalid', 'after and before cannot be given together');
  const logins = terms.flatMap((term) => (term.field === 'actor' || term.field === 'user' ? [term.value] : []));
  const ids = await accountIdsByLogin(ctx.db, logins);
  const now = ctx.clock.now();
  const retained = now.getTime() - ctx.retentionDays * DAY_MS;
  // GitHub: "By default, the response includes up to 30 events from the past three months"; `created:` reaches further.
  const threeMonthsAgo = new Date(now);
  threeMonthsAgo.setUTCMonth(threeMonthsAgo.getUTCMonth() - 3);
  // The span: one lower and one upper bound however many `created:` terms there are (fewer terms, simpler plans).
  const spans = terms.flatMap((term) => (term.field === 'created' && !term.negated ? [term.range] : []));
  const earliest = terms.some((term) => term.field === 'created') ? retained : Math.max(retained, threeMonthsAgo.getTime());
  const since = Math.max(earliest, ...spans.map((span) => span.from ?? -Infinity));
  const until = Math.min(...spans.map((span) => span.to ?? Infinity));
  return {
    orgId: org.id,
    since: storedBound(since),
    until: until === Infinity ? undefined : storedBound(until),
    conditions: terms.flatMap((term) => (term.field === 'created' && !term.negated ? [] : [conditionOf(term, ids)])),
    include: query.include ?? 'web',
    order: query.order ?? 'desc',
    after,
    before,
    limit: query.perPage + 1,
  };
}

/** One page of the org's audit log and the cursors around it. */
export async function auditLogPage(ctx: AuditContext, org: Pick<Account, 'id'>, query: AuditLogQuery): Promise<AuditLogPage> {
  const search = await auditSearch(ctx, org, query);
  const found = await searchAuditEvents(ctx.db, search);
  const more = found.length > query.perPage;
  // Read backwards from `before`, the extra row is the earliest one; read forwards, the last.
  const rows = search.before ? found.slice(more ? 1 : 0) : found.slice(0, query.perPage);
  // Past either end, the way back is the cursor given.
  if (rows.length === 0) return { rows, prev: search.after && query.after, next: search.before && query.before };
  return {
    rows,
    next: search.before || more ? cursorOf(rows.at(-1)!) : undefined,
    prev: search.after || (search.before && more) ? cursorOf(rows[0]) : undefined,
  };
}
