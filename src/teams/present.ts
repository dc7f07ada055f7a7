import type { Account } from '../accounts/store.js';
import type { components } from '../generated/openapi.js';
import { nodeId, type Urls } from '../http/urls.js';
import type { ApiVersion } from '../http/versions.js';
import { organizationFull, PUBLIC_VIEW_COUNTS } from '../orgs/present.js';
import { simpleUser } from '../users/present.js';
import type { TeamMemberEntry, TeamRole, TeamRow } from './store.js';

type Team = components['schemas']['team'];
type TeamFull = components['schemas']['team-full'];
type TeamSimple = NonNullable<components['schemas']['nullable-team-simple']>;
type TeamOrganization = components['schemas']['team-organization'];
export type TeamMembership = components['schemas']['team-membership'];
type TeamMember = components['schemas']['team-member'];

const teamApi = (urls: Urls, team: Pick<TeamRow, 'org_id' | 'id'>) => `${urls.api}/organizations/${team.org_id}/team/${team.id}`;

export function teamSimple(urls: Urls, orgLogin: string, team: TeamRow): TeamSimple {
  const api = teamApi(urls, team);
  return {
    id: team.id,
    node_id: nodeId('Team', team.id),
    url: api,
    members_url: `${api}/members{/member}`,
    name: team.name,
    description: team.description,
    permission: team.permission,
    privacy: team.privacy,
    notification_setting: team.notification_setting,
    html_url: `${urls.html}/orgs/${orgLogin}/teams/${team.slug}`,
    repositories_url: `${api}/repos`,
    slug: team.slug,
    type: 'organization',
    organization_id: team.org_id,
  };
}

export function team(urls: Urls, orgLogin: string, row: TeamRow, parent: TeamRow | undefined): Team {
  return { ...teamSimple(urls, orgLogin, row), parent: parent ? teamSimple(urls, orgLogin, parent) : null };
}

/** The org as `team-full` embeds it: its public profile, leaving out unset fields the schema does not allow as null. */
function teamOrganization(urls: Urls, org: Account, version: ApiVersion): TeamOrganization {
  const profile: Record<string, unknown> = { ...organizationFull(urls, org, { showPrivate: false, version, counts: PUBLIC_VIEW_COUNTS }) };
  for (const field of ['name', 'company', 'blog', 'location', 'email']) {
    if (profile[field] === null || profile[field] === '') delete profile[field];
  }
  return profile as TeamOrganization;
}

export function teamFull(
  urls: Urls,
  org: Account,
  row: TeamRow,
  extra: { parent: TeamRow | undefined; membersCount: number; version: ApiVersion },
): TeamFull {
  return {
    ...team(urls, org.login, row, extra.parent),
    privacy: row.privacy,
    notification_setting: row.notification_setting,
    members_count: extra.membersCount,
    repos_count: 0,
    created_at: row.created_at,
    updated_at: row.updated_at,
    organization: teamOrganization(urls, org, extra.version),
  };
}

export function teamMembership(urls: Urls, row: TeamRow, login: string, membership: { role: TeamRole; state: 'active' | 'pending' }): TeamMembership {
  return { url: `${teamApi(urls, row)}/memberships/${login}`, role: membership.role, state: membership.state };
}

/** A row of `GET …/teams/{team_slug}/members`: the user, their role on the team, and whether only through a child team. */
export function teamMember(urls: Urls, entry: TeamMemberEntry): TeamMember {
  const { inherited, maintainer, ...user } = entry;
  // Object.assign, not a spread into a literal: V8 builds such a spread of this many properties far slower (src/users/present.ts).
  return Object.assign(simpleUser(urls, user), { role: maintainer ? ('maintainer' as const) : ('member' as const), inherited });
}
