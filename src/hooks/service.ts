import type { Kysely } from 'kysely';
import { lockAccount, type Account } from '../accounts/store.js';
import { isoSeconds } from '../clock.js';
import type { AppContext } from '../context.js';
import { idFromPath } from '../db/columns.js';
import type { Database } from '../db/schema.js';
import { pingHook, recordEvent } from '../events/record.js';
import { newDelivery } from '../events/webhooks.js';
import { ORGANIZATION_WEBHOOK_EVENTS } from '../generated/webhook-events.js';
import type { Caller } from '../http/auth/index.js';
import { invalidField, notFound, validationFailed, type FieldError } from '../http/errors.js';
import { actorOf } from '../members/common.js';
import { hookConfig, MASKED_SECRET } from './present.js';
import {
  deleteHook,
  findDelivery,
  findHook,
  hookEvents,
  insertDeliveries,
  insertHook,
  listDeliveries,
  listHooks,
  updateHook,
  type DeliveryRow,
  type DeliveryWithPayload,
  type HookRow,
} from './store.js';

const RESOURCE = 'Hook';
/** GitHub: "You can create up to 20 webhooks for each event on each installation target." */
const MAX_HOOKS_PER_EVENT = 20;
const EVERY_EVENT = '*';

/** `config` as a request sends it (`insecure_ssl` may be a number). */
export interface HookConfigRequest {
  url?: string;
  content_type?: string;
  secret?: string;
  insecure_ssl?: string | number;
}

/** `POST /orgs/{org}/hooks` and `PATCH /orgs/{org}/hooks/{hook_id}` bodies (the description requires `config.url`). */
export interface HookRequest {
  name?: string;
  config?: HookConfigRequest;
  events?: string[];
  active?: boolean;
}

/** Where and how a hook's deliveries go: the stored form of `config`. */
type Target = Pick<HookRow, 'url' | 'content_type' | 'insecure_ssl' | 'secret'>;

/** What `config` means where it does not say: GitHub's defaults. */
const DEFAULT_TARGET: Omit<Target, 'url'> = { content_type: 'form', insecure_ssl: '0', secret: null };

const fieldError = (field: string, message: string, value?: string): FieldError => ({
  resource: RESOURCE,
  field,
  code: 'invalid',
  message,
  ...(value === undefined ? {} : { value }),
});

function checkName(name: string | undefined): void {
  if (name !== undefined && name !== 'web') throw validationFailed([fieldError('name', 'name must be "web"', name)]);
}

function readUrl(url: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || !parsed.hostname) {
    throw validationFailed([fieldError('url', 'url must be an absolute http or https URL', url)]);
  }
  return url;
}

function readContentType(contentType: string): Target['content_type'] {
  if (contentType !== 'json' && contentType !== 'form') {
    throw validationFailed([fieldError('content_type', 'content_type must be "json" or "form"', contentType)]);
  }
  return contentType;
}

function readInsecureSsl(insecureSsl: string | number): Target['insecure_ssl'] {
  const text = String(insecureSsl);
  if (text !== '0' && text !== '1') throw validationFailed([fieldError('insecure_ssl', 'insecure_ssl must be "0" or "1"', text)]);
  return text;
}

/**
 * `config` checked field by field; what it leaves out comes from `base` (the defaults, or the hook's own config).
 * `stored` is the hook's secret when there is a hook: a config read back and sent again carries the mask, which keeps it.
 */
function readConfig(config: HookConfigRequest, base: Omit<Target, 'url'> & { url?: string }, stored?: string | null): Target {
  const url = config.url === undefined ? base.url : readUrl(config.url);
  if (url === undefined) throw invalidField(RESOURCE, 'url', 'missing_field');
  return {
    url,
    content_type: config.content_type === undefined ? base.content_type : readContentType(config.content_type),
    insecure_ssl: config.insecure_ssl === undefined ? base.insecure_ssl : readInsecureSsl(config.insecure_ssl),
    // An empty secret is no secret: deliveries go unsigned.
    secret: config.secret === undefined ? base.secret : config.secret === MASKED_SECRET && stored !== undefined ? stored : config.secret || null,
  };
}

/** The events to subscribe to, each once, in the order given; `*` is every event. */
function readEvents(events: string[]): string[] {
  const unknown = events.filter((name) => name !== EVERY_EVENT && !ORGANIZATION_WEBHOOK_EVENTS.has(name));
  if (unknown.length) throw validationFailed([...new Set(unknown)].map((name) => fieldError('events', `"${name}" is not a valid event name`, name)));
  return [...new Set(events)];
}

const subscribed = (events: readonly string[]): ReadonlySet<string> => (events.includes(EVERY_EVENT) ? ORGANIZATION_WEBHOOK_EVENTS : new Set(events));

/**
 * GitHub's limits on the org's hooks, `others` being every hook but the one being written: at most 20 hooks hear
 * any one event, and no two hooks share a URL.
 */
function checkRoom(others: HookRow[], hook: { url: string; events: string[] }): void {
  if (others.some((other) => other.url === hook.url)) {
    throw validationFailed([{ resource: RESOURCE, code: 'custom', message: 'Hook already exists on this organization' }]);
  }
  const hearing = new Map<string, number>();
  for (const other of others) {
    for (const event of subscribed(hookEvents(other))) hearing.set(event, (hearing.get(event) ?? 0) + 1);
  }
  const full = [...subscribed(hook.events)].filter((event) => (hearing.get(event) ?? 0) >= MAX_HOOKS_PER_EVENT);
  if (full.length) {
    throw validationFailed(
      full.map((event) => ({ resource: RESOURCE, code: 'custom', message: `The "${event}" event cannot have more than ${MAX_HOOKS_PER_EVENT} hooks` })),
    );
  }
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((item) => b.includes(item));

/** The org's hook `{hook_id}` names; a value that cannot be an id ("abc", 1e20) names none: 404. */
export async function hookOr404(db: Kysely<Database>, org: Account, hookIdText: string): Promise<HookRow> {
  const id = idFromPath(hookIdText);
  const hook = id === undefined ? undefined : await findHook(db, org.id, id);
  if (!hook) throw notFound();
  return hook;
}

/** `POST /orgs/{org}/hooks`: the hook, whose creation (`hook.create`) pings it. */
export async function createHook(ctx: AppContext, org: Account, caller: Caller, body: HookRequest): Promise<HookRow> {
  checkName(body.name);
  const target = readConfig(body.config ?? {}, DEFAULT_TARGET);
  const events = readEvents(body.events ?? ['push']);
  return ctx.db.transaction().execute(async (trx) => {
    await lockAccount(trx, ctx.dialect, org.id);
    checkRoom(await listHooks(trx, org.id), { url: target.url, events });
    const now = isoSeconds(ctx.clock.now());
    const hook = await insertHook(trx, {
      org_id: org.id,
      active: body.active === false ? 0 : 1,
      events: JSON.stringify(events),
      ...target,
      created_at: now,
      updated_at: now,
    });
    await recordEvent(trx, {
      action: 'hook.create',
      actor: actorOf(caller),
      org,
      hook,
      data: { hook_id: hook.id, events, active: hook.active === 1, config: hookConfig(hook) },
      createdAt: now,
    });
    return hook;
  });
}

/**
 * A change to one hook, in a transaction under the org's lock: `change` reads the hook as it is there and returns the
 * fields to write. Each part that changed records its own audit event; a change that changes nothing writes nothing.
 */
async function changeHook(
  ctx: AppContext,
  org: Account,
  caller: Caller,
  hookIdText: string,
  change: (hook: HookRow) => Partial<Target & { events: string[]; active: boolean }>,
): Promise<HookRow> {
  return ctx.db.transaction().execute(async (trx) => {
    await lockAccount(trx, ctx.dialect, org.id);
    const hook = await hookOr404(trx, org, hookIdText);
    const { events: newEvents, active: newActive, ...target } = change(hook);
    const before = { config: hookConfig(hook), events: hookEvents(hook), active: hook.active === 1 };
    const next: HookRow = {
      ...hook,
      ...target,
      ...(newEvents && !sameSet(newEvents, before.events) ? { events: JSON.stringify(newEvents) } : {}),
      ...(newActive === undefined ? {} : { active: newActive ? 1 : 0 }),
    };
    const configChanged = (['url', 'content_type', 'insecure_ssl', 'secret'] as const).some((field) => next[field] !== hook[field]);
    const eventsChanged = next.events !== hook.events;
    const activeChanged = next.active !== hook.active;
    if (!configChanged && !eventsChanged && !activeChanged) return hook;
    if (next.url !== hook.url || eventsChanged) {
      checkRoom((await listHooks(trx, org.id)).filter((other) => other.id !== hook.id), { url: next.url, events: hookEvents(next) });
    }
    const now = isoSeconds(ctx.clock.now());
    const { id, org_id, created_at, ...fields } = next;
    const updated = await updateHook(trx, hook.id, { ...fields, updated_at: now });
    const event = { actor: actorOf(caller), org, hook: updated, createdAt: now };
    if (configChanged) {
      await recordEvent(trx, { ...event, action: 'hook.config_changed', data: { hook_id: id, config: hookConfig(updated), config_was: before.config } });
    }
    if (eventsChanged) {
      await recordEvent(trx, { ...event, action: 'hook.events_changed', data: { hook_id: id, events: hookEvents(updated), events_were: before.events } });
    }
    if (activeChanged) {
      await recordEvent(trx, { ...event, action: 'hook.active_changed', data: { hook_id: id, active: updated.active === 1, active_was: before.active } });
    }
    return updated;
  });
}

/** `PATCH /orgs/{org}/hooks/{hook_id}`: `config`, when given, replaces the whole config (an unsent secret is dropped). */
export function editHook(ctx: AppContext, org: Account, caller: Caller, hookIdText: string, body: HookRequest): Promise<HookRow> {
  return changeHook(ctx, org, caller, hookIdText, (hook) => {
    checkName(body.name);
    return {
      ...(body.config ? readConfig(body.config, DEFAULT_TARGET, hook.secret) : {}),
      ...(body.events ? { events: readEvents(body.events) } : {}),
      ...(body.active === undefined ? {} : { active: body.active }),
    };
  });
}

/** `PATCH /orgs/{org}/hooks/{hook_id}/config`: only the fields given change. */
export function editHookConfig(ctx: AppContext, org: Account, caller: Caller, hookIdText: string, body: HookConfigRequest): Promise<HookRow> {
  return changeHook(ctx, org, caller, hookIdText, (hook) => readConfig(body, hook, hook.secret));
}

/** `DELETE /orgs/{org}/hooks/{hook_id}`: `hook.destroy` sends `meta` `deleted` to the hook as it was. */
export async function destroyHook(ctx: AppContext, org: Account, caller: Caller, hookIdText: string): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    await lockAccount(trx, ctx.dialect, org.id);
    const hook = await hookOr404(trx, org, hookIdText);
    await recordEvent(trx, { action: 'hook.destroy', actor: actorOf(caller), org, hook, data: { hook_id: hook.id }, createdAt: isoSeconds(ctx.clock.now()) });
    await deleteHook(trx, hook.id);
  });
}

/** `POST /orgs/{org}/hooks/{hook_id}/pings`. */
export async function sendPing(ctx: AppContext, org: Account, caller: Caller, hookIdText: string): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    await lockAccount(trx, ctx.dialect, org.id);
    const hook = await hookOr404(trx, org, hookIdText);
    await pingHook(trx, { actor: actorOf(caller), org, hook, createdAt: isoSeconds(ctx.clock.now()) });
  });
}

/** A delivery of the hook that has been attempted (one still waiting is not yet listed or shown). */
async function deliveryOr404(db: Kysely<Database>, hook: HookRow, deliveryIdText: string): Promise<DeliveryWithPayload> {
  const id = idFromPath(deliveryIdText);
  const delivery = id === undefined ? undefined : await findDelivery(db, hook.id, id);
  if (delivery?.state !== 'done') throw notFound();
  return delivery;
}

export async function hookDeliveryOr404(ctx: AppContext, org: Account, hookIdText: string, deliveryIdText: string): Promise<DeliveryWithPayload> {
  return deliveryOr404(ctx.db, await hookOr404(ctx.db, org, hookIdText), deliveryIdText);
}

/**
 * `POST /orgs/{org}/hooks/{hook_id}/deliveries/{delivery_id}/attempts`: the same event (GUID, payload) sent again, as a
 * redelivery, to where the hook points now. An inactive hook is sent nothing, as for every other delivery.
 */
export async function redeliver(ctx: AppContext, org: Account, hookIdText: string, deliveryIdText: string): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    await lockAccount(trx, ctx.dialect, org.id);
    const hook = await hookOr404(trx, org, hookIdText);
    const original = await deliveryOr404(trx, hook, deliveryIdText);
    if (hook.active !== 1) return;
    const { guid, event, action, payload_id: payloadId } = original;
    await insertDeliveries(trx, [newDelivery(hook, { guid, event, action, payloadId, createdAt: isoSeconds(ctx.clock.now()), redelivery: true })]);
  });
}

/** The `cursor` of the deliveries list: opaque to clients, the id of the last delivery of the previous page. */
const deliveriesCursor = (lastId: number) => Buffer.from(String(lastId)).toString('base64url');

function readCursor(cursor: string | undefined): number | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const id = /^[A-Za-z0-9_-]+$/.test(cursor) ? idFromPath(Buffer.from(cursor, 'base64url').toString('utf8')) : undefined;
  if (id === undefined) throw invalidField('Request', 'cursor', 'invalid', 'cursor is not a cursor this list gave');
  return id;
}

/** One page of a hook's attempted deliveries, newest first, and the cursor of the next page if there is one. */
export async function deliveriesPage(
  ctx: AppContext,
  org: Account,
  hookIdText: string,
  options: { cursor?: string; status?: 'success' | 'failure'; perPage: number },
): Promise<{ rows: DeliveryRow[]; next?: string }> {
  const hook = await hookOr404(ctx.db, org, hookIdText);
  const rows = await listDeliveries(ctx.db, hook.id, { beforeId: readCursor(options.cursor), status: options.status, limit: options.perPage + 1 });
  if (rows.length <= options.perPage) return { rows };
  const page = rows.slice(0, options.perPage);
  return { rows: page, next: deliveriesCursor(page.at(-1)!.id) };
}
