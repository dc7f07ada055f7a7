import type { FastifyRequest } from 'fastify';
import { orgOf, type Operation, type PermissionLevel } from '../http/operation.js';
import { perPageOnly, readPage, setCursorLink, setPageLinks } from '../http/pagination.js';
import { hookConfig, hookDelivery, hookDeliveryItem, orgHook } from './present.js';
import {
  createHook,
  deliveriesPage,
  destroyHook,
  editHook,
  editHookConfig,
  hookDeliveryOr404,
  hookOr404,
  redeliver,
  sendPing,
  type HookConfigRequest,
  type HookRequest,
} from './service.js';
import { countHooks, listHooks } from './store.js';

/**
 * Every org hook operation: an org owner whose token has `admin:org_hook` ("OAuth app tokens and personal access
 * tokens (classic) need `admin:org_hook` scope"); anyone else gets 404, as GitHub hides what one may not see.
 */
function hookOperation(operationId: string, level: PermissionLevel, handler: Operation['handler']): Operation {
  return {
    operationId,
    authenticated: true,
    acceptedScopes: ['admin:org_hook'],
    enforceScopes: true,
    permissions: { organization_hooks: level },
    orgRole: 'owner',
    resource: 'Hook',
    handler,
  };
}

const params = (request: FastifyRequest) => request.params as { hook_id: string; delivery_id: string };

const listWebhooks = hookOperation('orgs/list-webhooks', 'read', async (request, reply) => {
  const { db } = request.server.ctx;
  const { org } = orgOf(request);
  const page = readPage(request.query as Record<string, unknown>);
  const [rows, total] = await Promise.all([listHooks(db, org.id, { offset: page.offset, limit: page.perPage }), countHooks(db, org.id)]);
  setPageLinks(request, reply, page, total);
  return rows.map((hook) => orgHook(request.urls, org.login, hook));
});

const createWebhook = hookOperation('orgs/create-webhook', 'write', async (request, reply) => {
  const { org } = orgOf(request);
  const hook = orgHook(request.urls, org.login, await createHook(request.server.ctx, org, request.caller!, request.body as HookRequest));
  return reply.code(201).header('Location', hook.url).send(hook);
});

const getWebhook = hookOperation('orgs/get-webhook', 'read', async (request) => {
  const { org } = orgOf(request);
  return orgHook(request.urls, org.login, await hookOr404(request.server.ctx.db, org, params(request).hook_id));
});

const updateWebhook = hookOperation('orgs/update-webhook', 'write', async (request) => {
  const { org } = orgOf(request);
  const hook = await editHook(request.server.ctx, org, request.caller!, params(request).hook_id, request.body as HookRequest);
  return orgHook(request.urls, org.login, hook);
});

const deleteWebhook = hookOperation('orgs/delete-webhook', 'write', async (request, reply) => {
  await destroyHook(request.server.ctx, orgOf(request).org, request.caller!, params(request).hook_id);
  return reply.code(204).send();
});

const getWebhookConfig = hookOperation('orgs/get-webhook-config-for-org', 'read', async (request) =>
  hookConfig(await hookOr404(request.server.ctx.db, orgOf(request).org, params(request).hook_id)),
);

const updateWebhookConfig = hookOperation('orgs/update-webhook-config-for-org', 'write', async (request) =>
  hookConfig(await editHookConfig(request.server.ctx, orgOf(request).org, request.caller!, params(request).hook_id, request.body as HookConfigRequest)),
);

const listWebhookDeliveries = hookOperation('orgs/list-webhook-deliveries', 'read', async (request, reply) => {
  const query = request.query as { cursor?: string; status?: 'success' | 'failure'; per_page?: unknown };
  const perPage = perPageOnly(query);
  const { rows, next } = await deliveriesPage(request.server.ctx, orgOf(request).org, params(request).hook_id, { cursor: query.cursor, status: query.status, perPage });
  setCursorLink(request, reply, perPage, next);
  return rows.map(hookDeliveryItem);
});

const getWebhookDelivery = hookOperation('orgs/get-webhook-delivery', 'read', async (request) => {
  const { hook_id, delivery_id } = params(request);
  return hookDelivery(await hookDeliveryOr404(request.server.ctx, orgOf(request).org, hook_id, delivery_id));
});

const redeliverWebhookDelivery = hookOperation('orgs/redeliver-webhook-delivery', 'write', async (request, reply) => {
  const { hook_id, delivery_id } = params(request);
  await redeliver(request.server.ctx, orgOf(request).org, hook_id, delivery_id);
  return reply.code(202).send({});
});

const pingWebhook = hookOperation('orgs/ping-webhook', 'write', async (request, reply) => {
  await sendPing(request.server.ctx, orgOf(request).org, request.caller!, params(request).hook_id);
  return reply.code(204).send();
});

export const hookOperations: Operation[] = [
  listWebhooks,
  createWebhook,
  getWebhook,
  updateWebhook,
  deleteWebhook,
  getWebhookConfig,
  updateWebhookConfig,
  listWebhookDeliveries,
  getWebhookDelivery,
  redeliverWebhookDelivery,
  pingWebhook,
];
