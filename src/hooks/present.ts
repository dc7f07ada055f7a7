import type { components } from '../generated/openapi.js';
import type { Urls } from '../http/urls.js';
import { hookEvents, type DeliveryRow, type DeliveryWithPayload, type HookRow } from './store.js';

type OrgHook = components['schemas']['org-hook'];
type WebhookConfig = components['schemas']['webhook-config'];
type HookDeliveryItem = components['schemas']['hook-delivery-item'];
type HookDelivery = components['schemas']['hook-delivery'];

/** The secret is write-only: reads show that one is set, never what it is. */
export const MASKED_SECRET = '********';

export function hookConfig(hook: HookRow): WebhookConfig & OrgHook['config'] {
  return {
    content_type: hook.content_type,
    insecure_ssl: hook.insecure_ssl,
    url: hook.url,
    ...(hook.secret ? { secret: MASKED_SECRET } : {}),
  };
}

export function orgHook(urls: Urls, orgLogin: string, hook: HookRow): OrgHook {
  const api = `${urls.api}/orgs/${orgLogin}/hooks/${hook.id}`;
  return {
    id: hook.id,
    url: api,
    ping_url: `${api}/pings`,
    deliveries_url: `${api}/deliveries`,
    name: 'web',
    events: hookEvents(hook),
    active: hook.active === 1,
    config: hookConfig(hook),
    updated_at: hook.updated_at,
    created_at: hook.created_at,
    type: 'Organization',
  };
}

/** The hook as `ping` and `meta` payloads show it. */
export function hookSummary(urls: Urls, orgLogin: string, hook: HookRow) {
  const { url, ping_url, deliveries_url, id, events, active, config, created_at, updated_at, type } = orgHook(urls, orgLogin, hook);
  return { type, id, name: 'web' as const, active, events, config, updated_at, created_at, url, ping_url, deliveries_url };
}

export function hookDeliveryItem(row: DeliveryRow): HookDeliveryItem {
  return {
    id: row.id,
    guid: row.guid,
    delivered_at: row.delivered_at ?? row.created_at,
    redelivery: row.redelivery === 1,
    duration: row.duration ?? 0,
    status: row.status ?? '',
    status_code: row.status_code ?? 0,
    event: row.event,
    action: row.action,
    installation_id: null,
    repository_id: null,
    throttled_at: null,
  };
}

export function hookDelivery(row: DeliveryWithPayload): HookDelivery {
  return {
    ...hookDeliveryItem(row),
    url: row.url,
    request: { headers: row.request_headers ? JSON.parse(row.request_headers) : null, payload: JSON.parse(row.payload) },
    response: { headers: row.response_headers ? JSON.parse(row.response_headers) : null, payload: row.response_body },
  };
}
