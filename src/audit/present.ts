import type { components } from '../generated/openapi.js';
import type { AuditEventRow } from './store.js';

type AuditLogEvent = components['schemas']['audit-log-event'];

/** `_document_id`: opaque and unique, 22 base64url characters as GitHub's are (16 bytes: the org's id and the event's). */
function documentId(row: AuditEventRow): string {
  const bytes = Buffer.alloc(16);
  bytes.writeBigUInt64BE(BigInt(row.org_id ?? 0));
  bytes.writeBigUInt64BE(BigInt(row.id), 8);
  return bytes.toString('base64url');
}

/**
 * Fields the description types otherwise than GitHub sends them (`config` an object, `events` a list of names; GitHub
 * acknowledges the description is wrong in github/rest-api-description#5566): left out, so every answer validates.
 */
const MISDESCRIBED = new Set(['config', 'config_was', 'events', 'events_were']);

/** Where GitHub names an action's fields otherwise than orghub records them. */
const RENAMED: Record<string, Record<string, string>> = {
  'org.block_user': { user: 'blocked_user' },
  'org.unblock_user': { user: 'blocked_user' },
  'org.invite_member': { email: 'invitee_email' },
  'org_credential_authorization.revoke': { user: 'owner' },
  'role.create': { permissions: 'role_permissions' },
};

/** One stored event as `GET /orgs/{org}/audit-log` shows it: times in epoch milliseconds, each action's own fields. */
export function auditLogEntry(row: AuditEventRow): AuditLogEvent {
  const at = Date.parse(row.created_at);
  const renamed = RENAMED[row.action] ?? {};
  const name = (field: string) => renamed[field] ?? field;
  const entry: AuditLogEvent = {
    '@timestamp': at,
    action: row.action,
    ...(row.actor_id === null ? {} : { actor: row.actor ?? undefined, actor_id: row.actor_id }),
    created_at: at,
    _document_id: documentId(row),
    ...(row.org_id === null ? {} : { org: row.org ?? undefined, org_id: row.org_id }),
  };
  const fields: Record<string, unknown> = {};
  // A renamed user field (`blocked_user`, `owner`) is the login alone, as GitHub shows it.
  if (row.user_id !== null) Object.assign(fields, name('user') === 'user' ? { user: row.user, user_id: row.user_id } : { [name('user')]: row.user });
  for (const [field, value] of Object.entries(row.data ? (JSON.parse(row.data) as Record<string, unknown>) : {})) {
    // A field the event does not have (an invitation to a user has no email) is left out, as GitHub leaves it.
    if (value !== null && !MISDESCRIBED.has(field) && !(field in entry)) fields[name(field)] = value;
  }
  return Object.assign(entry, fields);
}
