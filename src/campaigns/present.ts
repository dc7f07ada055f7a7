import type { components } from '../generated/openapi.js';
import type { Urls } from '../http/urls.js';
import { team } from '../teams/present.js';
import type { TeamRow } from '../teams/store.js';
import { simpleUser, type UserSummary } from '../users/present.js';
import type { AlertStats, CampaignRow } from './store.js';

type CampaignSummary = components['schemas']['campaign-summary'];

/** What a campaign is shown with besides its row. */
export interface CampaignParts {
  managers: UserSummary[];
  teamManagers: TeamRow[];
  /** Parents of the team managers, by id. */
  parents: Map<number, TeamRow>;
  /** Shown by the single-campaign answers; lists leave it out, as GitHub's do. */
  alertStats?: AlertStats;
}

export function campaignSummary(urls: Urls, orgLogin: string, row: CampaignRow, parts: CampaignParts): CampaignSummary {
  return {
    number: row.number,
    created_at: row.created_at,
    updated_at: row.updated_at,
    name: row.name,
    description: row.description,
    managers: parts.managers.map((user) => simpleUser(urls, user)),
    team_managers: parts.teamManagers.map((t) => team(urls, orgLogin, t, t.parent_id === null ? undefined : parts.parents.get(t.parent_id))),
    published_at: row.published_at,
    ends_at: row.ends_at,
    closed_at: row.closed_at,
    state: row.state,
    contact_link: row.contact_link,
    ...(parts.alertStats ? { alert_stats: parts.alertStats } : {}),
  };
}
