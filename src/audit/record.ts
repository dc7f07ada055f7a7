import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

export interface AuditEventInput {
  action: string;
  actor?: { id: number; login: string } | null;
  org?: { id: number; login: string } | null;
  user?: { id: number; login: string } | null;
  data?: Record<string, unknown>;
  createdAt: string;
}

/** Records one audit event with GitHub's action names (`org.create`, `org.add_member` …), inside the caller's transaction. */
export async function recordAuditEvent(db: Kysely<Database>, event: AuditEventInput): Promise<void> {
  await db
    .insertInto('audit_events')
    .values({
      action: event.action,
      actor_id: event.actor?.id ?? null,
      actor: event.actor?.login ?? null,
      org_id: event.org?.id ?? null,
      org: event.org?.login ?? null,
      user_id: event.user?.id ?? null,
      user: event.user?.login ?? null,
      data: event.data ? JSON.stringify(event.data) : null,
      created_at: event.createdAt,
    })
    .execute();
}
