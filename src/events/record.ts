import type { Kysely } from 'kysely';
import { recordAuditEvent, recordAuditEvents, type AuditEventInput } from '../audit/record.js';
import type { Database } from '../db/schema.js';
import type { Urls } from '../http/urls.js';
import type { InvitationRow } from '../invitations/store.js';
import type { TeamRow } from '../teams/store.js';
import type { HookRow } from '../hooks/store.js';
import type { RepositoryRow } from '../repositories/store.js';
import type { CodeScanningAlertRow } from '../code-scanning/store.js';
import type { AppRow, InstallationRow } from '../apps/store.js';
import { enqueueWebhooks, PING, someoneHears, webhookFor, type WebhookRule } from './webhooks.js';

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
  /** The app installation an `integration_installation.*` event is about, and its app. */
  installation?: InstallationRow;
  app?: AppRow;
  repository?: RepositoryRow;
  /** A code scanning alert as the change left it (in `repository`). */
  codeScanningAlert?: CodeScanningAlertRow;
}

/** What building payloads needs from the server that owns a store. */
export interface EventContext {
  urls: Urls;
  /** Told when a transaction wrote deliveries, so they are sent as soon as it has answered. */
  deliveriesRecorded(): void;
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
  await enqueueWebhooks(trx, contextOf(trx), event);
}

/**
 * The audit events of one change that GitHub's audit log shows apart and its webhooks as one (a team edit renaming it
 * and changing its privacy: `team.rename` and `team.change_privacy`, one `team` `edited`): each audit event is
 * recorded, and each webhook they map to is delivered once, built from the first of them that maps to it.
 */
export async function recordEvents(trx: Kysely<Database>, events: ChangeEvent[]): Promise<void> {
  const delivered = new Set<WebhookRule>();
  for (const event of events) {
    await recordAuditEvent(trx, event);
    const rule = webhookFor(event.action);
    if (!rule || delivered.has(rule)) continue;
    delivered.add(rule);
    await enqueueWebhooks(trx, contextOf(trx), event, rule);
  }
}

/**
 * Many separate changes of one transaction (the thousands of alerts one SARIF upload makes): each recorded as
 * `recordEvent` would, with the audit events inserted in batches and, per org and action, one look for listeners
 * first (deliveries are then written for each event only when some hook or app hears them).
 */
export async function recordEventBatch(trx: Kysely<Database>, events: ChangeEvent[]): Promise<void> {
  await recordAuditEvents(trx, events);
  const heard = new Map<string, boolean>();
  for (const event of events) {
    const key = `${event.org?.id}:${event.action}`;
    let listened = heard.get(key);
    if (listened === undefined) heard.set(key, (listened = await someoneHears(trx, event)));
    if (listened) await enqueueWebhooks(trx, contextOf(trx), event);
  }
}

/** `POST /orgs/{org}/hooks/{hook_id}/pings`: the creation ping again, to that hook only; no audit event, as nothing changed. */
export async function pingHook(trx: Kysely<Database>, event: Omit<ChangeEvent, 'action'> & { hook: HookRow }): Promise<void> {
  // The action names no audit event: PING is the rule, given explicitly.
  await enqueueWebhooks(trx, contextOf(trx), { ...event, action: 'hook.ping' }, PING);
}

function contextOf(trx: Kysely<Database>): EventContext {
  const context = contexts.get(trx.getExecutor().adapter);
  if (!context) throw new Error('recordEvent: the store has no event context (bindEventContext)');
  return context;
}
