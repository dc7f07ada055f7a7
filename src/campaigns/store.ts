import { sql, type Kysely, type Selectable, type Transaction, type Updateable } from 'kysely';
import type { DialectName } from '../db/connect.js';
import { assignedFlag } from '../code-scanning/store.js';
import type { CampaignTable, Database } from '../db/schema.js';
import { precompiled } from '../db/prepared.js';
import { bumpCounter, readCounter } from '../memberships/store.js';
import type { TeamRow } from '../teams/store.js';
import type { UserSummary } from '../users/present.js';
import type { WindowUsage } from '../ratelimit/secondary.js';

export type CampaignRow = Selectable<CampaignTable>;

/** The org counter campaign numbers come from: bumped in the creating transaction, so numbers are never reused. */
const CAMPAIGNS_COUNTER = 'campaigns';

/**
 * The next campaign number of the org. The counter's upsert locks its row until the transaction ends (PostgreSQL) or
 * runs under the database's write lock (SQLite): concurrent creations in any process get consecutive numbers, and a
 * creation that fails rolls its number back with it.
 */
export async function nextCampaignNumber(db: Kysely<Database>, orgId: number): Promise<number> {
  await bumpCounter(db, orgId, CAMPAIGNS_COUNTER, 1);
  return readCounter(db, orgId, CAMPAIGNS_COUNTER);
}

export async function insertCampaign(db: Kysely<Database>, row: Omit<CampaignRow, 'id'>): Promise<CampaignRow> {
  return db.insertInto('campaigns').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findCampaign(db: Kysely<Database>, orgId: number, number: number): Promise<CampaignRow | undefined> {
  return db.selectFrom('campaigns').selectAll().where('org_id', '=', orgId).where('number', '=', number).executeTakeFirst();
}

/**
 * The campaign as it is now, its row locked to the end of the transaction (PostgreSQL; SQLite's write transactions
 * hold the database's write lock already); undefined when it was deleted meanwhile.
 */
export async function lockCampaign(trx: Transaction<Database>, dialect: DialectName, id: number): Promise<CampaignRow | undefined> {
  const query = trx.selectFrom('campaigns').selectAll().where('id', '=', id);
  return (dialect === 'postgres' ? query.forUpdate() : query).executeTakeFirst();
}

/** Updates the campaign (its row locked with `lockCampaign`). */
export async function updateCampaignRow(db: Kysely<Database>, id: number, changes: Updateable<CampaignTable>): Promise<CampaignRow> {
  return db.updateTable('campaigns').set(changes).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

/** Deletes the campaign; its managers and alert links go with it (foreign keys cascade). Whether it was there to delete. */
export async function deleteCampaignRow(db: Kysely<Database>, id: number): Promise<boolean> {
  const { numDeletedRows } = await db.deleteFrom('campaigns').where('id', '=', id).executeTakeFirst();
  return numDeletedRows > 0n;
}

/** Replaces the campaign's managers (users) or team managers. */
export async function setManagers(db: Kysely<Database>, campaignId: number, userIds: number[]): Promise<void> {
  await db.deleteFrom('campaign_managers').where('campaign_id', '=', campaignId).execute();
  if (userIds.length) await db.insertInto('campaign_managers').values(userIds.map((user_id) => ({ campaign_id: campaignId, user_id }))).execute();
}

export async function setTeamManagers(db: Kysely<Database>, campaignId: number, teamIds: number[]): Promise<void> {
  await db.deleteFrom('campaign_team_managers').where('campaign_id', '=', campaignId).execute();
  if (teamIds.length) await db.insertInto('campaign_team_managers').values(teamIds.map((team_id) => ({ campaign_id: campaignId, team_id }))).execute();
}

/**
 * Links the campaign to its alerts, each with its state and assignment as they are now (kept current from then on by
 * `mirrorToCampaigns`), in batches that stay under both stores' bound-parameter limits.
 * On PostgreSQL each batch's alerts are share-locked first, in id order, and copied by a statement of its own: the copy
 * holds every change committed before it, and a later change waits for this transaction, then updates the copy. SQLite's
 * one writer serializes the two already.
 */
export async function addCampaignAlerts(db: Kysely<Database>, dialect: DialectName, campaignId: number, alertIds: number[]): Promise<void> {
  const BATCH = 400;
  const ids = [...alertIds].sort((a, b) => a - b);
  for (let i = 0; i < ids.length; i += BATCH) {
    const batch = ids.slice(i, i + BATCH);
    if (dialect === 'postgres') await db.selectFrom('code_scanning_alerts').select('id').where('id', 'in', batch).orderBy('id').forShare().execute();
    await db
      .insertInto('campaign_alerts')
      .columns(['campaign_id', 'alert_id', 'state', 'assigned'])
      .expression(
        db
          .selectFrom('code_scanning_alerts as a')
          .select((eb) => [sql<number>`cast(${campaignId} as integer)`.as('campaign_id'), 'a.id', 'a.state', assignedFlag(eb.ref('a.id')).as('assigned')])
          .where('a.id', 'in', batch),
      )
      .execute();
  }
}

/** The managers of some campaigns, by campaign id, in user id order. */
export async function managersOf(db: Kysely<Database>, campaignIds: number[]): Promise<Map<number, UserSummary[]>> {
  const byCampaign = new Map<number, UserSummary[]>(campaignIds.map((id) => [id, []]));
  if (!campaignIds.length) return byCampaign;
  const rows = await db
    .selectFrom('campaign_managers as m')
    .innerJoin('accounts as a', 'a.id', 'm.user_id')
    .select(['m.campaign_id', 'a.id', 'a.login', 'a.type', 'a.site_admin'])
    .where('m.campaign_id', 'in', campaignIds)
    .orderBy('a.id')
    .execute();
  for (const { campaign_id, ...user } of rows) byCampaign.get(campaign_id)!.push(user);
  return byCampaign;
}

/** The team managers of some campaigns, by campaign id, in team id order. */
export async function teamManagersOf(db: Kysely<Database>, campaignIds: number[]): Promise<Map<number, TeamRow[]>> {
  const byCampaign = new Map<number, TeamRow[]>(campaignIds.map((id) => [id, []]));
  if (!campaignIds.length) return byCampaign;
  const rows = await db
    .selectFrom('campaign_team_managers as m')
    .innerJoin('teams as t', 't.id', 'm.team_id')
    .selectAll('t')
    .select('m.campaign_id')
    .where('m.campaign_id', 'in', campaignIds)
    .orderBy('t.id')
    .execute();
  for (const { campaign_id, ...team } of rows) byCampaign.get(campaign_id)!.push(team);
  return byCampaign;
}

export interface AlertStats {
  open_count: number;
  in_progress_count: number;
  closed_count: number;
}

/**
 * A campaign's alerts counted by state and whether they have an assignee, in one statement over one index range
 * (`campaign_alerts_stats`: the copies `mirrorToCampaigns` keeps current). Compiled once: it runs on every read.
 */
const selectAlertCounts = precompiled((db, campaignId: number) =>
  db
    .selectFrom('campaign_alerts')
    .select((eb) => ['state', 'assigned', eb.fn.countAll<number>().as('n')])
    .where('campaign_id', '=', campaignId)
    .groupBy(['state', 'assigned']),
);

/** `alert_stats`: open and unassigned, open with an assignee (in progress), fixed or dismissed (closed). */
export async function alertStats(db: Kysely<Database>, campaignId: number): Promise<AlertStats> {
  const stats: AlertStats = { open_count: 0, in_progress_count: 0, closed_count: 0 };
  for (const row of await selectAlertCounts(db, campaignId)) {
    const n = Number(row.n);
    if (row.state !== 'open') stats.closed_count += n;
    else if (Number(row.assigned) === 1) stats.in_progress_count += n;
    else stats.open_count += n;
  }
  return stats;
}

export type CampaignSort = 'created' | 'updated' | 'ends_at' | 'published';
const SORT_COLUMNS = { created: 'created_at', updated: 'updated_at', ends_at: 'ends_at', published: 'published_at' } as const;

/** One page of the org's campaigns, `state` filtered, sorted (ties by number, the same way), and whether more follow. */
export async function listCampaigns(
  db: Kysely<Database>,
  orgId: number,
  options: { state?: CampaignRow['state']; sort: CampaignSort; direction: 'asc' | 'desc'; offset: number; limit: number },
): Promise<{ rows: CampaignRow[]; hasNext: boolean }> {
  let query = db.selectFrom('campaigns').selectAll().where('org_id', '=', orgId);
  if (options.state) query = query.where('state', '=', options.state);
  const rows = await query
    .orderBy(SORT_COLUMNS[options.sort], options.direction)
    .orderBy('number', options.direction)
    .limit(options.limit + 1)
    .offset(options.offset)
    .execute();
  return { rows: rows.slice(0, options.limit), hasNext: rows.length > options.limit };
}

/** Campaigns the org created since `sinceIso` (its `campaign.create` audit events: deleting one does not give it back). */
export async function campaignsCreatedSince(db: Kysely<Database>, orgId: number, sinceIso: string): Promise<WindowUsage> {
  const row = await db
    .selectFrom('audit_events')
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min('created_at').as('oldest')])
    .where('org_id', '=', orgId)
    .where('action', '=', 'campaign.create')
    .where('created_at', '>', sinceIso)
    .executeTakeFirstOrThrow();
  return { count: Number(row.n), oldest: (row.oldest as string | null) ?? null };
}
