import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { ChangeEvent } from '../events/record.js';
import type { NewDelivery } from '../hooks/store.js';
import { hearsEvent } from './permissions.js';
import { eventsOf, listeningInstallations, permissionsOf } from './store.js';

/** An app's hook that is to hear an event, for one of its installations. */
export interface AppTarget {
  appId: number;
  installationId: number;
  url: string;
  secret: string | null;
}

/**
 * The app hooks that hear `webhookEvent` of a change on an org: the installation's own app for `installation` events,
 * else every installation on the org (not suspended, its app's hook active) subscribed to the event and holding the
 * permission it needs.
 */
export async function appTargets(db: Kysely<Database>, event: ChangeEvent, webhookEvent: string): Promise<AppTarget[]> {
  if (event.installation && event.app) {
    const { app, installation } = event;
    return app.hook_active === 1 && app.hook_url ? [{ appId: app.id, installationId: installation.id, url: app.hook_url, secret: app.webhook_secret }] : [];
  }
  if (!event.org) return [];
  const listening = await listeningInstallations(db, event.org.id);
  return listening
    .filter(({ installation }) => hearsEvent(webhookEvent, eventsOf(installation), permissionsOf(installation)))
    .map(({ installation, hook }) => ({ appId: hook.id, installationId: installation.id, url: hook.hook_url!, secret: hook.webhook_secret }));
}

/** A delivery to an app's hook: GitHub sends those as JSON, certificate checked, with the app as the target. */
export function appDelivery(
  target: AppTarget,
  d: { guid: string; event: string; action: string | null; payloadId: number; createdAt: string },
): NewDelivery {
  return {
    hook_id: target.appId,
    guid: d.guid,
    event: d.event,
    action: d.action,
    redelivery: 0,
    url: target.url,
    content_type: 'json',
    insecure_ssl: '0',
    secret: target.secret,
    target_id: target.appId,
    target_type: 'integration',
    payload_id: d.payloadId,
    state: 'pending',
    claimed_until: null,
    created_at: d.createdAt,
  };
}
