import type { Kysely } from 'kysely';
import { recordAuditEvent, type AuditEventInput } from '../audit/record.js';
import type { Database } from '../db/schema.js';
import type { Urls } from '../http/urls.js';
import type { InvitationRow } from '../invitations/store.js';
import type { TeamRow } from '../teams/store.js';
import type { HookRow } from '../hooks/store.js';
import { enqueueWebhooks } from './webhooks.js';

/**
 * Something that happened, as a service reports it: the audit event's fields (GitHub's action name, actor, org,
 * user, data) and the records its webhook payload shows.
 */
export interface ChangeEvent extends AuditEventInput {
  team?: TeamRow;
  /** A team's state before an edit (`team` `edited` shows what changed). */
  previousTeam?: TeamRow;
  invitation?: InvitationRow;
  hook?: HookRow;
  /** An organization's login before a rename. */
  previousLogin?: string;
}

/** What building payloads needs from the server that owns a store. */
export interface EventContext {
  urls: Urls;
}

// Keyed by the store's adapter, which its transactions share: services record events with only their transaction.
const contexts = new WeakMap<object, EventContext>();

export function bindEventContext(db: Kysely<Database>, context: EventContext): void {
  contexts.set(db.getExecutor().adapter, context);
}

/**
 * The one place where a change becomes known: inside the change's transaction it records the audit event and, for
 * each hook that is to hear of it, a delivery (a transactional outbox, sent by src/hooks/engine.ts once committed).
 */
export async function recordEvent(trx: Kysely<Database>, event: ChangeEvent): Promise<void> {
  await recordAuditEvent(trx, event);
  const context = contexts.get(trx.getExecutor().adapter);
  if (!context) throw new Error('recordEvent: the store has no event context (bindEventContext)');
  await enqueueWebhooks(trx, context, event);
}
