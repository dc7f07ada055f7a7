import { findAccount, type Account } from '../accounts/store.js';
import { isoSeconds } from '../clock.js';
import { resolveAlertReferences } from '../code-scanning/store.js';
import type { AppContext } from '../context.js';
import type { operations } from '../generated/openapi.js';
import { idFromPath } from '../db/columns.js';
import { recordEvent } from '../events/record.js';
import type { Caller } from '../http/auth/index.js';
import { notFound, validationFailed } from '../http/errors.js';
import type { Urls } from '../http/urls.js';
import { actorOf } from '../members/common.js';
import { userManagesSecurity } from '../orgs/access.js';
import { enforceSecondaryLimit } from '../ratelimit/secondary.js';
import { findTeamBySlug, parentsOf } from '../teams/store.js';
import { campaignSummary } from './present.js';
import {
  addCampaignAlerts,
  alertStats,
  campaignsCreatedSince,
  deleteCampaignRow,
  findCampaign,
  insertCampaign,
  listCampaigns,
  lockCampaign,
  managersOf,
  nextCampaignNumber,
  setManagers,
  setTeamManagers,
  teamManagersOf,
  updateCampaignRow,
  type CampaignRow,
  type CampaignSort,
} from './store.js';

const RESOURCE = 'Campaign';
const HOUR_MS = 60 * 60 * 1000;

type CampaignBody<Op extends 'campaigns/create-campaign' | 'campaigns/update-campaign'> = operations[Op]['requestBody']['content']['application/json'];
/** `PATCH` body, as GitHub's description types it. */
export type CampaignFields = CampaignBody<'campaigns/update-campaign'>;
/** `POST` body, as GitHub's description types it. */
export type CampaignRequest = CampaignBody<'campaigns/create-campaign'>;

const invalid = (field: string, message: string) => validationFailed([{ resource: RESOURCE, field, code: 'invalid', message }]);

/** `managers`: logins of org owners or security managers, one at most for now (as GitHub's docs say). */
async function resolveManagers(ctx: AppContext, org: Account, logins: string[]): Promise<number[]> {
  const unique = [...new Set(logins.map((login) => login.toLowerCase()))];
  if (unique.length > 1) throw invalid('managers', 'Only one manager can be supplied at this time.');
  const ids: number[] = [];
  for (const login of unique) {
    const user = await findAccount(ctx.db, login, 'User');
    if (!user || !(await userManagesSecurity(ctx.db, org.id, user.id))) {
      throw invalid('managers', `${login} must be an organization owner or security manager of ${org.login}.`);
    }
    ids.push(user.id);
  }
  return ids;
}

/** `team_managers`: slugs of teams of this org. */
async function resolveTeamManagers(ctx: AppContext, org: Account, slugs: string[]): Promise<number[]> {
  const ids = new Set<number>();
  for (const slug of slugs) {
    const team = await findTeamBySlug(ctx.db, org.id, slug);
    if (!team) throw invalid('team_managers', `Team ${slug} does not exist in ${org.login}.`);
    ids.add(team.id);
  }
  return [...ids];
}

function checkEndsAt(endsAt: string, now: Date): string {
  const at = Date.parse(endsAt);
  if (!(at > now.getTime())) throw invalid('ends_at', 'The end date must be in the future.');
  return isoSeconds(new Date(at));
}

/** The campaign `{campaign_number}` names in this org; 404 for anything else. */
async function campaignNamed(ctx: AppContext, org: Account, campaignNumber: string): Promise<CampaignRow> {
  const number = idFromPath(campaignNumber);
  const row = number === undefined ? undefined : await findCampaign(ctx.db, org.id, number);
  if (!row) throw notFound();
  return row;
}

/** Campaigns as the API shows them; `withStats`: with their alert_stats (the single-campaign answers). */
async function present(ctx: AppContext, urls: Urls, org: Account, rows: CampaignRow[], withStats: boolean) {
  const ids = rows.map((row) => row.id);
  // Independent reads, side by side (PostgreSQL runs each on its own pooled connection).
  const [managers, teamManagers, stats] = await Promise.all([
    managersOf(ctx.db, ids),
    teamManagersOf(ctx.db, ids).then(async (teams) => ({ teams, parents: await parentsOf(ctx.db, [...teams.values()].flat()) })),
    withStats ? Promise.all(rows.map((row) => alertStats(ctx.db, row.id))) : undefined,
  ]);
  return rows.map((row, i) =>
    campaignSummary(urls, org.login, row, {
      managers: managers.get(row.id)!,
      teamManagers: teamManagers.teams.get(row.id)!,
      parents: teamManagers.parents,
      alertStats: stats?.[i],
    }),
  );
}

/**
 * `POST /orgs/{org}/campaigns`: validated as GitHub does (422 naming the field), then created published, numbered from
 * the org's counter, within the org's campaign creation limit (429), in one transaction.
 */
export async function createCampaign(ctx: AppContext, urls: Urls, org: Account, caller: Caller, body: CampaignRequest, requestId: string) {
  const now = ctx.clock.now();
  const endsAt = checkEndsAt(body.ends_at, now);
  const references = body.code_scanning_alerts;
  if (!references) throw validationFailed([{ resource: RESOURCE, field: 'code_scanning_alerts', code: 'missing_field' }]);
  // With neither `managers` nor `team_managers`, the creator (an owner or security manager) manages the campaign.
  const managerIds = body.managers ? await resolveManagers(ctx, org, body.managers) : body.team_managers ? [] : [caller.userId];
  const teamIds = await resolveTeamManagers(ctx, org, body.team_managers ?? []);
  const { alertIds, missing } = await resolveAlertReferences(ctx.db, org.id, references);
  if (missing.length) {
    const named = missing.map((m) => `repository ${m.repository_id}: ${m.alert_numbers.join(', ')}`).join('; ');
    throw invalid('code_scanning_alerts', `No such code scanning alerts in ${org.login} (${named}).`);
  }
  const at = isoSeconds(now);
  const row = await ctx.db.transaction().execute(async (trx) => {
    const number = await nextCampaignNumber(trx, org.id);
    const usage = await campaignsCreatedSince(trx, org.id, isoSeconds(new Date(now.getTime() - HOUR_MS)));
    enforceSecondaryLimit({ limit: ctx.config.campaignLimit, windowMs: HOUR_MS, status: 429 }, usage, now, requestId);
    const created = await insertCampaign(trx, {
      org_id: org.id,
      number,
      name: body.name,
      description: body.description,
      contact_link: body.contact_link ?? null,
      state: 'open',
      ends_at: endsAt,
      // Drafts are not visible through the API: a campaign created here is published at once.
      published_at: at,
      closed_at: null,
      created_at: at,
      updated_at: at,
    });
    await setManagers(trx, created.id, managerIds);
    await setTeamManagers(trx, created.id, teamIds);
    await addCampaignAlerts(trx, ctx.dialect, created.id, alertIds);
    await recordEvent(trx, {
      action: 'campaign.create',
      actor: actorOf(caller),
      org,
      data: { campaign_number: number, name: body.name, alerts: alertIds.length },
      createdAt: at,
    });
    return created;
  });
  const [shown] = await present(ctx, urls, org, [row], true);
  return shown;
}

export async function getCampaign(ctx: AppContext, urls: Urls, org: Account, campaignNumber: string) {
  const [shown] = await present(ctx, urls, org, [await campaignNamed(ctx, org, campaignNumber)], true);
  return shown;
}

/**
 * `PATCH /orgs/{org}/campaigns/{campaign_number}`: any documented field; `state: closed` sets `closed_at`, reopening
 * clears it. Audit: `campaign.update` for the fields, `campaign.close` / `campaign.reopen` for the state.
 */
export async function updateCampaign(ctx: AppContext, urls: Urls, org: Account, caller: Caller, campaignNumber: string, body: CampaignFields) {
  const campaign = await campaignNamed(ctx, org, campaignNumber);
  const now = ctx.clock.now();
  const at = isoSeconds(now);
  const endsAt = body.ends_at === undefined ? undefined : checkEndsAt(body.ends_at, now);
  const managerIds = body.managers === undefined ? undefined : await resolveManagers(ctx, org, body.managers);
  const teamIds = body.team_managers === undefined ? undefined : await resolveTeamManagers(ctx, org, body.team_managers);
  const fields = Object.keys(body).filter((field) => field !== 'state');
  const row = await ctx.db.transaction().execute(async (trx) => {
    // Read again under the row's lock: of two requests closing it at once, the second finds it closed and records nothing.
    const current = await lockCampaign(trx, ctx.dialect, campaign.id);
    if (!current) throw notFound();
    const stateChange = body.state !== undefined && body.state !== current.state ? body.state : undefined;
    if (!fields.length && !stateChange) return current;
    const updated = await updateCampaignRow(trx, campaign.id, {
      ...(body.name !== undefined && { name: body.name }),
      ...(body.description !== undefined && { description: body.description }),
      ...(body.contact_link !== undefined && { contact_link: body.contact_link }),
      ...(endsAt !== undefined && { ends_at: endsAt }),
      ...(stateChange && { state: stateChange, closed_at: stateChange === 'closed' ? at : null }),
      updated_at: at,
    });
    if (managerIds) await setManagers(trx, campaign.id, managerIds);
    if (teamIds) await setTeamManagers(trx, campaign.id, teamIds);
    const event = { actor: actorOf(caller), org, data: { campaign_number: campaign.number, name: updated.name }, createdAt: at };
    if (fields.length) await recordEvent(trx, { ...event, action: 'campaign.update', data: { ...event.data, fields } });
    if (stateChange) await recordEvent(trx, { ...event, action: stateChange === 'closed' ? 'campaign.close' : 'campaign.reopen' });
    return updated;
  });
  const [shown] = await present(ctx, urls, org, [row], true);
  return shown;
}

export async function deleteCampaign(ctx: AppContext, org: Account, caller: Caller, campaignNumber: string): Promise<void> {
  const campaign = await campaignNamed(ctx, org, campaignNumber);
  const at = isoSeconds(ctx.clock.now());
  await ctx.db.transaction().execute(async (trx) => {
    // Deleted by another request since it was read: the answer a moment later, and no second campaign.destroy.
    if (!(await deleteCampaignRow(trx, campaign.id))) throw notFound();
    await recordEvent(trx, {
      action: 'campaign.destroy',
      actor: actorOf(caller),
      org,
      data: { campaign_number: campaign.number, name: campaign.name },
      createdAt: at,
    });
  });
}

export interface CampaignListQuery {
  state?: CampaignRow['state'];
  sort: CampaignSort;
  direction: 'asc' | 'desc';
}

export async function campaignsOf(ctx: AppContext, urls: Urls, org: Account, query: CampaignListQuery, page: { offset: number; limit: number }) {
  const { rows, hasNext } = await listCampaigns(ctx.db, org.id, { ...query, ...page });
  return { items: await present(ctx, urls, org, rows, false), hasNext };
}
