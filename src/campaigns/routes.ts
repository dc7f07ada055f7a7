import type { FastifyRequest } from 'fastify';
import { orgOf, type Operation } from '../http/operation.js';
import { readPage, setPageLinks } from '../http/pagination.js';
import {
  campaignsOf,
  createCampaign,
  deleteCampaign,
  getCampaign,
  updateCampaign,
  type CampaignFields,
  type CampaignListQuery,
  type CampaignRequest,
} from './service.js';

// Org owners and security managers, with `security_events` on classic tokens; anyone else gets 404 (GitHub's docs).
const SECURITY = {
  authenticated: true,
  acceptedScopes: ['security_events'],
  enforceScopes: true,
  orgRole: 'security',
  resource: 'Campaign',
} satisfies Partial<Operation>;

const numberOf = (request: FastifyRequest) => (request.params as { campaign_number: string }).campaign_number;

const listOrgCampaigns: Operation = {
  operationId: 'campaigns/list-org-campaigns',
  ...SECURITY,
  permissions: { organization_campaigns: 'read' },
  async handler(request, reply) {
    const query = request.query as Record<string, unknown> & Partial<CampaignListQuery>;
    const page = readPage(query);
    const { items, hasNext } = await campaignsOf(
      request.server.ctx,
      request.urls,
      orgOf(request).org,
      { state: query.state, sort: query.sort ?? 'created', direction: query.direction ?? 'desc' },
      { offset: page.offset, limit: page.perPage },
    );
    setPageLinks(request, reply, page, { hasNext });
    return items;
  },
};

/** 200, not 201: GitHub's code for this operation. */
const createCampaignOperation: Operation = {
  operationId: 'campaigns/create-campaign',
  ...SECURITY,
  // GitHub's docs: also "Code scanning alerts" (repository) read, for the alerts a campaign includes.
  permissions: { organization_campaigns: 'write', security_events: 'read' },
  async handler(request) {
    return createCampaign(request.server.ctx, request.urls, orgOf(request).org, request.caller!, request.body as CampaignRequest, request.id);
  },
};

const getCampaignSummary: Operation = {
  operationId: 'campaigns/get-campaign-summary',
  ...SECURITY,
  permissions: { organization_campaigns: 'read' },
  async handler(request) {
    return getCampaign(request.server.ctx, request.urls, orgOf(request).org, numberOf(request));
  },
};

const updateCampaignOperation: Operation = {
  operationId: 'campaigns/update-campaign',
  ...SECURITY,
  permissions: { organization_campaigns: 'write' },
  async handler(request) {
    const { ctx } = request.server;
    return updateCampaign(ctx, request.urls, orgOf(request).org, request.caller!, numberOf(request), request.body as CampaignFields);
  },
};

const deleteCampaignOperation: Operation = {
  operationId: 'campaigns/delete-campaign',
  ...SECURITY,
  permissions: { organization_campaigns: 'write' },
  async handler(request, reply) {
    await deleteCampaign(request.server.ctx, orgOf(request).org, request.caller!, numberOf(request));
    reply.code(204);
  },
};

export const campaignOperations: Operation[] = [
  listOrgCampaigns,
  createCampaignOperation,
  getCampaignSummary,
  updateCampaignOperation,
  deleteCampaignOperation,
];
