import type { Insertable, Kysely } from 'kysely';
import type { AuditEventTable, Database } from '../db/schema.js';
import { precompiled } from '../db/prepared.js';

export interface AuditEventInput {
  action: string;
  actor?: { id: number; login: string } | null;
  org?: { id: number; login: string } | null;
  user?: { id: number; login: string } | null;
  /** The action's own fields, named as GitHub's audit log names them (`permission`, `team`, `hook_id` …). */
  data?: Record<string, unknown>;
  createdAt: string;
}

/** `org` of `org.add_member`: the action's category, what `action:org` searches. */
export function categoryOf(action: string): string {
  const dot = action.indexOf('.');
  return dot === -1 ? action : action.slice(0, dot);
}

/** A `team` or `repo` field (`org/name`) as its search column keeps it: logins and slugs are case-insensitive. */
const searchable = (value: unknown) => (typeof value === 'string' ? value.toLowerCase() : null);

/** The stored row of an event, its search columns filled in (the benchmark seeds with it too). */
export function auditEventRow(event: AuditEventInput): Insertable<AuditEventTable> {
  return {
    action: event.action,
    category: categoryOf(event.action),
    actor_id: event.actor?.id ?? null,
    actor: event.actor?.login ?? null,
    org_id: event.org?.id ?? null,
    org: event.org?.login ?? null,
    user_id: event.user?.id ?? null,
    user: event.user?.login ?? null,
    team: searchable(event.data?.team),
    repo: searchable(event.data?.repo),
    data: event.data ? JSON.stringify(event.data) : null,
    created_at: event.createdAt,
  };
}

// Every write records one: compiled once.
const insertAuditEvent = precompiled(
  (db, action: string, category: string, actorId: number | null, actor: string | null, orgId: number | null, org: string | null,
    userId: number | null, user: string | null, team: string | null, repo: string | null, data: string | null, createdAt: string) =>
    db.insertInto('audit_events').values({
      action, category, actor_id: actorId, actor, org_id: orgId, org, user_id: userId, user, team, repo, data, created_at: createdAt,
    }),
);

/** Records one audit event with GitHub's action names (`org.create`, `org.add_member` …), inside the caller's transaction. */
export async function recordAuditEvent(db: Kysely<Database>, event: AuditEventInput): Promise<void> {
  const row = auditEventRow(event);
  await insertAuditEvent(db, row.action, row.category, row.actor_id ?? null, row.actor ?? null, row.org_id ?? null, row.org ?? null,
    row.user_id ?? null, row.user ?? null, row.team ?? null, row.repo ?? null, row.data ?? null, row.created_at);
}

/** Rows per multi-row insert of audit events (16 columns each: well under both stores' bound-parameter limits). */
const AUDIT_BATCH = 500;

/** Records many audit events in multi-row inserts, inside the caller's transaction. */
export async function recordAuditEvents(db: Kysely<Database>, events: AuditEventInput[]): Promise<void> {
  for (let at = 0; at < events.length; at += AUDIT_BATCH) {
    await db.insertInto('audit_events').values(events.slice(at, at + AUDIT_BATCH).map(auditEventRow)).execute();
  }
}
