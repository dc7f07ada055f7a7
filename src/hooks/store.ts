import { sql, type Insertable, type Kysely, type Selectable } from 'kysely';
import { isStoredId } from '../db/columns.js';
import type { DialectName } from '../db/connect.js';
import type { Database, HookDeliveryTable, HookTable } from '../db/schema.js';

export type HookRow = Selectable<HookTable>;
export type DeliveryRow = Selectable<HookDeliveryTable>;
/** A delivery with the payload it sends (stored once per event in `hook_payloads`). */
export type DeliveryWithPayload = DeliveryRow & { payload: string };
export type NewDelivery = Insertable<HookDeliveryTable>;

export function hookEvents(hook: Pick<HookRow, 'events'>): string[] {
  return JSON.parse(hook.events) as string[];
}

export async function listHooks(db: Kysely<Database>, orgId: number, page?: { offset: number; limit: number }): Promise<HookRow[]> {
  let query = db.selectFrom('hooks').selectAll().where('org_id', '=', orgId).orderBy('id');
  if (page) query = query.offset(page.offset).limit(page.limit);
  return query.execute();
}

export async function countHooks(db: Kysely<Database>, orgId: number): Promise<number> {
  const { n } = await db.selectFrom('hooks').select((eb) => eb.fn.countAll<number>().as('n')).where('org_id', '=', orgId).executeTakeFirstOrThrow();
  return Number(n);
}

export async function findHook(db: Kysely<Database>, orgId: number, id: number): Promise<HookRow | undefined> {
  if (!isStoredId(id)) return undefined;
  return db.selectFrom('hooks').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

/** The org's active hooks, the candidates for an event's deliveries (each org has few: GitHub allows 20 per event). */
export async function activeHooks(db: Kysely<Database>, orgId: number): Promise<HookRow[]> {
  return db.selectFrom('hooks').selectAll().where('org_id', '=', orgId).where('active', '=', 1).orderBy('id').execute();
}

export async function insertHook(db: Kysely<Database>, hook: Insertable<HookTable>): Promise<HookRow> {
  return db.insertInto('hooks').values(hook).returningAll().executeTakeFirstOrThrow();
}

export async function updateHook(db: Kysely<Database>, id: number, changes: Partial<Insertable<HookTable>>): Promise<HookRow> {
  return db.updateTable('hooks').set(changes).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export async function deleteHook(db: Kysely<Database>, id: number): Promise<void> {
  await db.deleteFrom('hooks').where('id', '=', id).execute();
}

/** Stores an event's payload once, for all its deliveries; returns its id. */
export async function insertPayload(db: Kysely<Database>, payload: string, createdAt: string): Promise<number> {
  const { id } = await db.insertInto('hook_payloads').values({ payload, created_at: createdAt }).returning('id').executeTakeFirstOrThrow();
  return id;
}

export async function insertDeliveries(db: Kysely<Database>, rows: NewDelivery[]): Promise<void> {
  if (rows.length > 0) await db.insertInto('hook_deliveries').values(rows).execute();
}

/** The payloads `rows` send, read in one statement (the deliveries of one event share one). */
async function withPayloads(db: Kysely<Database>, rows: DeliveryRow[]): Promise<DeliveryWithPayload[]> {
  if (rows.length === 0) return [];
  const ids = [...new Set(rows.map((row) => row.payload_id))];
  const payloads = new Map((await db.selectFrom('hook_payloads').select(['id', 'payload']).where('id', 'in', ids).execute()).map((p) => [p.id, p.payload]));
  return rows.map((row) => ({ ...row, payload: payloads.get(row.payload_id) ?? 'null' }));
}

/**
 * Claims up to `limit` deliveries to send: those not yet attempted and, with `lapsed`, those whose claim lapsed (the
 * process that claimed them died). On PostgreSQL concurrent claimers skip each other's rows, so each delivery goes to
 * one process; SQLite runs the statement under its write lock.
 */
export async function claimDeliveries(
  db: Kysely<Database>,
  dialect: DialectName,
  nowMs: number,
  leaseMs: number,
  limit: number,
  lapsed = true,
): Promise<DeliveryWithPayload[]> {
  const claim = (state: 'pending' | 'sending', count: number) => {
    let claimable = db.selectFrom('hook_deliveries').select('id').where('state', '=', state);
    if (state === 'sending') claimable = claimable.where('claimed_until', '<', nowMs);
    claimable = claimable.orderBy('id').limit(count);
    return db
      .updateTable('hook_deliveries')
      .set({ state: 'sending', claimed_until: nowMs + leaseMs })
      .where('id', 'in', dialect === 'postgres' ? claimable.forUpdate().skipLocked() : claimable)
      .returningAll()
      .execute();
  };
  const pending = await claim('pending', limit);
  return withPayloads(db, pending.length === limit || !lapsed ? pending : [...pending, ...(await claim('sending', limit - pending.length))]);
}

export type DeliveryOutcome = Pick<
  DeliveryRow,
  'delivered_at' | 'duration' | 'status' | 'status_code' | 'request_headers' | 'response_headers' | 'response_body'
>;

export async function completeDelivery(db: Kysely<Database>, id: number, outcome: DeliveryOutcome): Promise<void> {
  await db.updateTable('hook_deliveries').set({ ...outcome, state: 'done', claimed_until: null }).where('id', '=', id).execute();
}

/**
 * Records several attempts with one commit: on PostgreSQL in one statement (a round trip per row costs more than
 * the row), on SQLite (in-process) in one transaction.
 */
export async function completeDeliveries(db: Kysely<Database>, dialect: DialectName, attempts: { id: number; outcome: DeliveryOutcome }[]): Promise<void> {
  if (attempts.length === 1) return completeDelivery(db, attempts[0].id, attempts[0].outcome);
  if (dialect === 'postgres') {
    const rows = attempts.map(
      ({ id, outcome: o }) =>
        sql`(${id}::integer, ${o.delivered_at}, ${o.duration}::real, ${o.status}, ${o.status_code}::integer, ${o.request_headers}, ${o.response_headers}, ${o.response_body})`,
    );
    await sql`
      update hook_deliveries as d
      set state = 'done', claimed_until = null, delivered_at = v.delivered_at, duration = v.duration, status = v.status,
        status_code = v.status_code, request_headers = v.request_headers, response_headers = v.response_headers, response_body = v.response_body
      from (values ${sql.join(rows)}) as v (id, delivered_at, duration, status, status_code, request_headers, response_headers, response_body)
      where d.id = v.id`.execute(db);
    return;
  }
  await db.transaction().execute(async (trx) => {
    for (const { id, outcome } of attempts) await completeDelivery(trx, id, outcome);
  });
}

export async function findDelivery(db: Kysely<Database>, hookId: number, id: number): Promise<DeliveryWithPayload | undefined> {
  if (!isStoredId(id)) return undefined;
  return db
    .selectFrom('hook_deliveries')
    .innerJoin('hook_payloads', 'hook_payloads.id', 'hook_deliveries.payload_id')
    .selectAll('hook_deliveries')
    .select('hook_payloads.payload')
    .where('hook_deliveries.hook_id', '=', hookId)
    .where('hook_deliveries.target_type', '=', 'organization')
    .where('hook_deliveries.id', '=', id)
    .executeTakeFirst();
}

/** One page of a hook's attempted deliveries, newest first, after the cursor's id. */
export async function listDeliveries(
  db: Kysely<Database>,
  hookId: number,
  options: { beforeId?: number; status?: 'success' | 'failure'; limit: number },
): Promise<DeliveryRow[]> {
  // An app's deliveries share `hook_id` numbers with org hooks (theirs is the app's id): never listed under an org hook.
  let query = db.selectFrom('hook_deliveries').selectAll().where('hook_id', '=', hookId).where('target_type', '=', 'organization').where('state', '=', 'done');
  if (options.beforeId !== undefined) query = query.where('id', '<', options.beforeId);
  // The description: success is a status_code of 200-399; failure the rest (4xx, 5xx, and no answer at all: 0).
  if (options.status === 'success') query = query.where('status_code', '>=', 200).where('status_code', '<', 400);
  if (options.status === 'failure') query = query.where((eb) => eb.or([eb('status_code', '<', 200), eb('status_code', '>=', 400)]));
  return query.orderBy('id', 'desc').limit(options.limit).execute();
}

/** Drops deliveries made before `cutoff` (ISO), retention's end, and the payloads no delivery points at any more; returns how many deliveries. */
export async function pruneDeliveries(db: Kysely<Database>, cutoff: string): Promise<number> {
  const result = await db.deleteFrom('hook_deliveries').where('created_at', '<', cutoff).where('state', '=', 'done').executeTakeFirst();
  // Payload ids grow with time, and a redelivery points at its original's: every payload below the smallest one
  // still pointed at is no delivery's.
  const oldest = await db.selectFrom('hook_deliveries').select((eb) => eb.fn.min('payload_id').as('id')).executeTakeFirst();
  let payloads = db.deleteFrom('hook_payloads').where('created_at', '<', cutoff);
  if (oldest?.id != null) payloads = payloads.where('id', '<', oldest.id);
  await payloads.execute();
  return Number(result.numDeletedRows);
}
