import { sql, type Expression, type ExpressionBuilder, type Insertable, type Kysely, type Selectable, type SqlBool } from 'kysely';
import type { DialectName } from '../db/connect.js';
import type { CodeScanningAlertTable, Database, SarifUploadTable } from '../db/schema.js';
import type { IngestedResult } from './sarif.js';

export type CodeScanningAlertRow = Selectable<CodeScanningAlertTable>;
export type SarifUploadRow = Selectable<SarifUploadTable>;

// ---- SARIF uploads: a durable job queue ---------------------------------------------------------------------------

export async function insertUpload(db: Kysely<Database>, values: Insertable<SarifUploadTable>): Promise<SarifUploadRow> {
  return db.insertInto('code_scanning_sarif_uploads').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function findUpload(db: Kysely<Database>, repositoryId: number, guid: string): Promise<SarifUploadRow | undefined> {
  return db.selectFrom('code_scanning_sarif_uploads').selectAll().where('repository_id', '=', repositoryId).where('guid', '=', guid).executeTakeFirst();
}

/**
 * Claims the oldest pending upload nobody holds (never claimed, or its claim lapsed: the process died) for `leaseMs`.
 * On PostgreSQL `FOR UPDATE SKIP LOCKED`, so processes claim different uploads; on SQLite the one writer serializes.
 */
export async function claimUpload(db: Kysely<Database>, dialect: DialectName, nowMs: number, leaseMs: number): Promise<SarifUploadRow | undefined> {
  let claimable = db
    .selectFrom('code_scanning_sarif_uploads')
    .select('id')
    .where('state', '=', 'pending')
    .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', nowMs)]))
    .orderBy('id')
    .limit(1);
  if (dialect === 'postgres') claimable = claimable.forUpdate().skipLocked();
  return db
    .updateTable('code_scanning_sarif_uploads')
    .set((eb) => ({ claimed_until: nowMs + leaseMs, attempts: eb('attempts', '+', 1) }))
    .where('id', 'in', claimable)
    .returningAll()
    .executeTakeFirst();
}

/**
 * Marks a claimed upload processed, inside the transaction that wrote its results: false when it no longer is
 * pending (a process whose claim had lapsed finished it first), and then nothing of this attempt is to be kept.
 */
export async function finishUpload(
  db: Kysely<Database>,
  id: number,
  outcome: { state: 'complete' | 'failed'; errors: string[] | null; processedAt: string },
): Promise<boolean> {
  const done = await db
    .updateTable('code_scanning_sarif_uploads')
    .set({ state: outcome.state, errors: outcome.errors && JSON.stringify(outcome.errors), processed_at: outcome.processedAt, sarif: null, claimed_until: null })
    .where('id', '=', id)
    .where('state', '=', 'pending')
    .executeTakeFirst();
  return Number(done.numUpdatedRows) === 1;
}

// ---- ingestion ----------------------------------------------------------------------------------------------------

/** What ingesting one analysis changed: alerts as they are now, by what happened to them. */
export interface IngestOutcome {
  created: CodeScanningAlertRow[];
  /** Open alerts of this tool, category and ref whose results are gone. */
  fixed: CodeScanningAlertRow[];
  /** Fixed alerts whose results came back. */
  reopened: CodeScanningAlertRow[];
}

/** Rows per multi-row insert: ~35 columns each stays under SQLite's 32,766 bound parameters. */
const INSERT_CHUNK = 500;
/** Ids per `in (…)` list. */
const ID_CHUNK = 1000;

/**
 * Applies one analysis (tool + category) of an upload to a repository's alerts, in the caller's transaction: a result
 * seen before updates its alert's most recent instance (a fixed one reopens; a dismissed one stays dismissed), a new
 * one becomes an alert with the repository's next number, and the open alerts of this tool and category last seen on
 * this ref whose results are gone are fixed.
 */
export async function ingestAnalysis(
  trx: Kysely<Database>,
  dialect: DialectName,
  repo: { id: number; org_id: number },
  analysis: { toolName: string; category: string; ref: string; results: IngestedResult[] },
  now: string,
): Promise<IngestOutcome> {
  const existing = await trx
    .selectFrom('code_scanning_alerts')
    .select(['id', 'fingerprint', 'state', 'ref'])
    .where('repository_id', '=', repo.id)
    .where('tool_name', '=', analysis.toolName)
    .where('category', '=', analysis.category)
    .execute();
  const byFingerprint = new Map(existing.map((row) => [row.fingerprint, row]));
  const fresh: IngestedResult[] = [];
  const reopenIds: number[] = [];
  const seen = new Set<number>();
  const refreshed: { id: number; result: IngestedResult }[] = [];
  for (const result of analysis.results) {
    const found = byFingerprint.get(result.fingerprint);
    if (!found) {
      fresh.push(result);
      continue;
    }
    seen.add(found.id);
    if (found.state === 'fixed') reopenIds.push(found.id);
    refreshed.push({ id: found.id, result });
  }
  // The most recent instance is this analysis' (rule text and tool version may have changed too).
  await refreshInstances(trx, dialect, refreshed);
  const fixIds = existing.filter((row) => row.state === 'open' && row.ref === analysis.ref && !seen.has(row.id)).map((row) => row.id);

  const reopened = await setStates(trx, reopenIds, 'fixed', { state: 'open', fixed_at: null, updated_at: now });
  const fixed = await setStates(trx, fixIds, 'open', { state: 'fixed', fixed_at: now, updated_at: now });
  const created: CodeScanningAlertRow[] = [];
  if (fresh.length > 0) {
    const { last_alert_number: last } = await trx
      .updateTable('repositories')
      .set((eb) => ({ last_alert_number: eb('last_alert_number', '+', fresh.length) }))
      .where('id', '=', repo.id)
      .returning('last_alert_number')
      .executeTakeFirstOrThrow();
    const first = last - fresh.length + 1;
    for (let at = 0; at < fresh.length; at += INSERT_CHUNK) {
      const rows = fresh.slice(at, at + INSERT_CHUNK).map((result, i) => ({
        ...result,
        org_id: repo.org_id,
        repository_id: repo.id,
        number: first + at + i,
        state: 'open' as const,
        created_at: now,
        updated_at: now,
      }));
      created.push(...(await trx.insertInto('code_scanning_alerts').values(rows).returningAll().execute()));
    }
  }
  return { created, fixed, reopened };
}

/** What a later analysis updates of an alert it finds again: everything but its identity (tool, category, fingerprint). */
const INSTANCE_COLUMNS = [
  'tool_version', 'tool_guid', 'rule_id', 'rule_name', 'rule_description', 'rule_full_description', 'rule_tags', 'rule_help',
  'rule_help_uri', 'severity', 'security_severity_level', 'ref', 'commit_sha', 'analysis_key', 'environment', 'message', 'path',
  'start_line', 'end_line', 'start_column', 'end_column',
] as const satisfies readonly (keyof IngestedResult)[];
const INTEGER_COLUMNS = new Set<string>(['start_line', 'end_line', 'start_column', 'end_column']);
/** Rows per `update … from (values …)`: 22 parameters each. */
const UPDATE_CHUNK = 1000;

/**
 * Sets the most recent instance of alerts found again. On PostgreSQL one `update … from (values …)` per chunk (a
 * round trip per alert would dominate a large upload); on SQLite, in process, one prepared update per alert.
 */
async function refreshInstances(trx: Kysely<Database>, dialect: DialectName, rows: { id: number; result: IngestedResult }[]): Promise<void> {
  if (dialect === 'sqlite') {
    for (const { id, result } of rows) {
      await trx.updateTable('code_scanning_alerts').set(Object.fromEntries(INSTANCE_COLUMNS.map((c) => [c, result[c]]))).where('id', '=', id).execute();
    }
    return;
  }
  const assignments = sql.join(INSTANCE_COLUMNS.map((c) => sql`${sql.ref(c)} = v.${sql.ref(c)}`));
  const columns = sql.join([sql.ref('id'), ...INSTANCE_COLUMNS.map((c) => sql.ref(c))]);
  for (let at = 0; at < rows.length; at += UPDATE_CHUNK) {
    const values = rows.slice(at, at + UPDATE_CHUNK).map(({ id, result }) =>
      sql`(${sql.join([sql`${id}::integer`, ...INSTANCE_COLUMNS.map((c) => (INTEGER_COLUMNS.has(c) ? sql`${result[c]}::integer` : sql`${result[c]}::text`))])})`);
    await sql`update code_scanning_alerts as a set ${assignments} from (values ${sql.join(values)}) as v(${columns}) where a.id = v.id`.execute(trx);
  }
}

/**
 * Moves alerts from state `from` to another; an alert a user changed meanwhile (dismissed while the upload was being
 * processed) is no longer in `from` and is left as the user left it.
 */
async function setStates(
  trx: Kysely<Database>,
  ids: number[],
  from: CodeScanningAlertTable['state'],
  change: Pick<CodeScanningAlertTable, 'state' | 'fixed_at' | 'updated_at'>,
): Promise<CodeScanningAlertRow[]> {
  const changed: CodeScanningAlertRow[] = [];
  for (let at = 0; at < ids.length; at += ID_CHUNK) {
    const chunk = ids.slice(at, at + ID_CHUNK);
    changed.push(...(await trx.updateTable('code_scanning_alerts').set(change).where('id', 'in', chunk).where('state', '=', from).returningAll().execute()));
  }
  await mirrorToCampaigns(trx, changed.map((row) => row.id));
  return changed;
}

// ---- alerts -------------------------------------------------------------------------------------------------------

/** 1 when the alert `alertId` refers to has an assignee, else 0: as `campaign_alerts.assigned` holds it. */
export const assignedFlag = (alertId: Expression<number>) =>
  sql<0 | 1>`case when exists (select 1 from code_scanning_alert_assignees x where x.alert_id = ${alertId}) then 1 else 0 end`;

/**
 * Writes the alerts' state and whether they are assigned into the campaigns that hold them, in the transaction that
 * changed them: campaigns count those copies (src/campaigns/store.ts `alertStats`), so every change is in their next read.
 */
export async function mirrorToCampaigns(db: Kysely<Database>, alertIds: number[]): Promise<void> {
  for (let at = 0; at < alertIds.length; at += ID_CHUNK) {
    await db
      .updateTable('campaign_alerts')
      .set((eb) => ({
        state: eb.selectFrom('code_scanning_alerts as a').select('a.state').whereRef('a.id', '=', 'campaign_alerts.alert_id'),
        assigned: assignedFlag(eb.ref('campaign_alerts.alert_id')),
      }))
      .where('alert_id', 'in', alertIds.slice(at, at + ID_CHUNK))
      .execute();
  }
}

export async function findAlert(db: Kysely<Database>, repositoryId: number, number: number): Promise<CodeScanningAlertRow | undefined> {
  return db.selectFrom('code_scanning_alerts').selectAll().where('repository_id', '=', repositoryId).where('number', '=', number).executeTakeFirst();
}

export type AlertStateFilter = 'open' | 'closed' | 'dismissed' | 'fixed';
export type SeverityFilter = 'critical' | 'high' | 'medium' | 'low' | 'warning' | 'note' | 'error';

export interface AlertFilters {
  state?: AlertStateFilter;
  severity?: SeverityFilter;
  toolName?: string;
  toolGuid?: string;
  ref?: string;
  /** Only alerts of these repositories (an installation token given some repositories only). */
  repositoryIds?: number[];
  /** Logins, `*` (any assignee) or `none` (no assignee): the org list's `assignees`. */
  assignees?: { any: boolean; none: boolean; userIds: number[] };
}

const SECURITY_LEVELS = new Set(['critical', 'high', 'medium', 'low']);

type AlertsExpression = ExpressionBuilder<Database & { a: CodeScanningAlertTable }, 'a'>;

/** The filters as one condition on `code_scanning_alerts` (aliased `a`). */
function matching(eb: AlertsExpression, f: AlertFilters): Expression<SqlBool> {
  const all: Expression<SqlBool>[] = [];
  if (f.state === 'closed') all.push(eb('a.state', 'in', ['dismissed', 'fixed']));
  else if (f.state) all.push(eb('a.state', '=', f.state));
  // `critical`…`low` are security severities; `error`, `warning`, `note` the rule's severity.
  if (f.severity && SECURITY_LEVELS.has(f.severity)) all.push(eb('a.security_severity_level', '=', f.severity as CodeScanningAlertTable['security_severity_level']));
  else if (f.severity) all.push(eb('a.severity', '=', f.severity as CodeScanningAlertTable['severity']));
  if (f.toolName !== undefined) all.push(eb('a.tool_name', '=', f.toolName));
  if (f.toolGuid !== undefined) all.push(eb('a.tool_guid', '=', f.toolGuid));
  if (f.ref !== undefined) all.push(eb('a.ref', '=', f.ref));
  if (f.repositoryIds) all.push(f.repositoryIds.length > 0 ? eb('a.repository_id', 'in', f.repositoryIds) : eb.lit(false));
  const assignees = f.assignees;
  if (assignees) {
    const assigned = () => eb.selectFrom('code_scanning_alert_assignees as x').select('x.alert_id').whereRef('x.alert_id', '=', 'a.id');
    const either: Expression<SqlBool>[] = [];
    if (assignees.any) either.push(eb.exists(assigned()));
    if (assignees.none) either.push(eb.not(eb.exists(assigned())));
    if (assignees.userIds.length > 0) either.push(eb.exists(assigned().where('x.user_id', 'in', assignees.userIds)));
    all.push(either.length > 0 ? eb.or(either) : eb.lit(false));
  }
  return eb.and(all);
}

const alertsQuery = (db: Kysely<Database>) => db.selectFrom('code_scanning_alerts as a').selectAll('a');

export interface RepositoryAlertPage {
  sort: 'created' | 'number' | 'updated';
  direction: 'asc' | 'desc';
  offset: number;
  limit: number;
}

/** A page of one repository's alerts (numbered pages). */
export async function listRepositoryAlerts(db: Kysely<Database>, repositoryId: number, f: AlertFilters, page: RepositoryAlertPage): Promise<CodeScanningAlertRow[]> {
  const column = page.sort === 'updated' ? 'a.updated_at' : 'a.number';
  return alertsQuery(db).where('a.repository_id', '=', repositoryId).where((eb) => matching(eb, f))
    .orderBy(column, page.direction)
    .orderBy('a.number', page.direction)
    .offset(page.offset)
    .limit(page.limit)
    .execute();
}

/** Where an org list page starts: after (or before) the row with this sort key. */
export interface AlertCursor {
  /** `updated_at` for `sort=updated`; unused for `created` (id order is creation order). */
  key: string | null;
  id: number;
}

export interface OrgAlertPage {
  sort: 'created' | 'updated';
  direction: 'asc' | 'desc';
  after?: AlertCursor;
  before?: AlertCursor;
  offset: number;
  limit: number;
}

/**
 * A page of an org's alerts in (sort key, id) order: an index range whatever the number of alerts (`after` and
 * `before` are keyset cursors; `page` an offset). `before` reads backwards from the cursor and turns the page round.
 */
export async function listOrgAlerts(db: Kysely<Database>, orgId: number, f: AlertFilters, page: OrgAlertPage): Promise<CodeScanningAlertRow[]> {
  const backwards = page.before !== undefined && page.after === undefined;
  const direction = backwards ? (page.direction === 'desc' ? 'asc' : 'desc') : page.direction;
  const cursor = backwards ? page.before : page.after;
  let q = alertsQuery(db).where('a.org_id', '=', orgId).where((eb) => matching(eb, f));
  const comparison = direction === 'desc' ? '<' : '>';
  if (cursor) {
    q = page.sort === 'updated'
      ? q.where((eb) => eb.or([
          eb('a.updated_at', comparison, cursor.key ?? ''),
          eb.and([eb('a.updated_at', '=', cursor.key ?? ''), eb('a.id', comparison, cursor.id)]),
        ]))
      : q.where('a.id', comparison, cursor.id);
  }
  if (page.sort === 'updated') q = q.orderBy('a.updated_at', direction);
  const rows = await q.orderBy('a.id', direction).offset(cursor ? 0 : page.offset).limit(page.limit).execute();
  return backwards ? rows.reverse() : rows;
}

/** Assignee ids of each alert. */
export async function assigneesOf(db: Kysely<Database>, alertIds: number[]): Promise<Map<number, number[]>> {
  const byAlert = new Map<number, number[]>();
  if (alertIds.length === 0) return byAlert;
  const rows = await db
    .selectFrom('code_scanning_alert_assignees')
    .select(['alert_id', 'user_id'])
    .where('alert_id', 'in', alertIds)
    .orderBy('created_at')
    .orderBy('user_id')
    .execute();
  for (const row of rows) byAlert.set(row.alert_id, [...(byAlert.get(row.alert_id) ?? []), row.user_id]);
  return byAlert;
}

/** Ids of the accounts with these logins (case-insensitive); unknown logins have none. */
export async function accountIdsByLogin(db: Kysely<Database>, logins: string[]): Promise<number[]> {
  if (logins.length === 0) return [];
  const rows = await db.selectFrom('accounts').select('id').where('login_lower', 'in', logins.map((l) => l.toLowerCase())).execute();
  return rows.map((row) => row.id);
}

/** Replaces an alert's assignees. */
export async function setAssignees(db: Kysely<Database>, alertId: number, userIds: number[], now: string): Promise<void> {
  await db.deleteFrom('code_scanning_alert_assignees').where('alert_id', '=', alertId).execute();
  if (userIds.length > 0) {
    await db.insertInto('code_scanning_alert_assignees').values(userIds.map((user_id) => ({ alert_id: alertId, user_id, created_at: now }))).execute();
  }
  await mirrorToCampaigns(db, [alertId]);
}

export async function updateAlert(
  db: Kysely<Database>,
  id: number,
  change: Partial<Pick<CodeScanningAlertTable, 'state' | 'dismissed_by' | 'dismissed_at' | 'dismissed_reason' | 'dismissed_comment' | 'updated_at'>>,
): Promise<CodeScanningAlertRow> {
  const updated = await db.updateTable('code_scanning_alerts').set(change).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  if (change.state !== undefined) await mirrorToCampaigns(db, [id]);
  return updated;
}

/** Locks the alert row until the transaction ends (PostgreSQL; SQLite's one writer serializes), for read-then-write. */
export async function lockAlert(db: Kysely<Database>, dialect: DialectName, id: number): Promise<CodeScanningAlertRow> {
  let q = db.selectFrom('code_scanning_alerts').selectAll().where('id', '=', id);
  if (dialect === 'postgres') q = q.forUpdate();
  return q.executeTakeFirstOrThrow();
}

// ---- campaigns (helper A2) ---------------------------------------------------------------------------------------

/** Alerts named the way campaigns name them: a repository of the org and alert numbers in it. */
export interface AlertReference {
  repository_id: number;
  alert_numbers: number[];
}

export interface ResolvedAlerts {
  /** Ids of the alerts found, in the order named, without repeats. */
  alertIds: number[];
  /** The references (or the numbers of them) naming no alert of a repository of this org. */
  missing: AlertReference[];
}

/** Resolves `{repository_id, alert_numbers}` references to alert ids within one org (campaigns' `code_scanning_alerts`). */
export async function resolveAlertReferences(db: Kysely<Database>, orgId: number, references: AlertReference[]): Promise<ResolvedAlerts> {
  const repositoryIds = [...new Set(references.map((r) => r.repository_id))];
  const numbers = [...new Set(references.flatMap((r) => r.alert_numbers))];
  const rows = repositoryIds.length === 0 || numbers.length === 0 ? [] : await db
    .selectFrom('code_scanning_alerts')
    .select(['id', 'repository_id', 'number'])
    .where('org_id', '=', orgId)
    .where('repository_id', 'in', repositoryIds)
    .where('number', 'in', numbers)
    .execute();
  const byKey = new Map(rows.map((row) => [`${row.repository_id}/${row.number}`, row.id]));
  const alertIds = new Set<number>();
  const missing: AlertReference[] = [];
  for (const reference of references) {
    const absent = reference.alert_numbers.filter((number) => {
      const id = byKey.get(`${reference.repository_id}/${number}`);
      if (id !== undefined) alertIds.add(id);
      return id === undefined;
    });
    if (absent.length > 0) missing.push({ repository_id: reference.repository_id, alert_numbers: absent });
  }
  return { alertIds: [...alertIds], missing };
}
