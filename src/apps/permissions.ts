import { openapiDocument } from '../http/openapi.js';
import { coversPermissions } from '../http/auth/permissions.js';
import type { AppPermission, RequiredPermissions } from '../http/operation.js';

type Levels = Record<string, readonly string[]>;

/** Every permission an app may ask for and the levels each takes, from GitHub's `app-permissions` schema. */
export const PERMISSION_LEVELS: Levels = Object.fromEntries(
  Object.entries<{ enum?: string[] }>(openapiDocument.components.schemas['app-permissions'].properties).map(([name, schema]) => [name, schema.enum ?? []]),
);

// `admin` (repository_projects, organization_projects …) includes `write`, which includes `read`.
const rank = (level: string | undefined) => (level === 'admin' ? 3 : level === 'write' ? 2 : level === 'read' ? 1 : 0);

/** Whether `granted` holds `permission`, read at least. */
export const holds = (granted: RequiredPermissions, permission: AppPermission): boolean => coversPermissions(granted, { [permission]: 'read' });

/** The entries of `asked` that `granted` does not cover, at any of the levels a permission takes: what a narrowed token may not have. */
export function notCovered(asked: Record<string, string>, granted: RequiredPermissions): string[] {
  return Object.entries(asked).filter(([name, level]) => rank((granted as Record<string, string>)[name]) < rank(level)).map(([name]) => name);
}

/**
 * The permission an app needs (read, at least) to receive each webhook event orghub sends, per GitHub's "Webhook events
 * and payloads" availability; `installation` needs none. Events missing here are never delivered to apps (org hooks'
 * `ping` and `meta`).
 */
export const EVENT_PERMISSIONS: Readonly<Record<string, AppPermission | null>> = {
  installation: null,
  organization: 'members',
  membership: 'members',
  team: 'members',
  member: 'metadata',
  org_block: 'organization_user_blocking',
  repository: 'metadata',
  code_scanning_alert: 'security_events',
};

/** Whether an installation with `permissions`, subscribed to `events`, hears `event`. */
export function hearsEvent(event: string, events: readonly string[], permissions: RequiredPermissions): boolean {
  if (!(event in EVENT_PERMISSIONS)) return false;
  const needed = EVENT_PERMISSIONS[event];
  if (needed === null) return true;
  return events.includes(event) && holds(permissions, needed);
}
