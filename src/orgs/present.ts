import type { components } from '../generated/openapi.js';
import type { Account } from '../accounts/store.js';
import { nodeId, type Urls } from '../http/urls.js';
import type { ApiVersion } from '../http/versions.js';
import { allowedRepositoryCreationType, PATCHABLE_SETTINGS, readOrgSettings, type OrgSettings } from './settings.js';

type OrganizationSimple = components['schemas']['organization-simple'];
type OrganizationFull = components['schemas']['organization-full'];

export type OrgSummary = Pick<Account, 'id' | 'login' | 'description'>;

/** Settings `organization-full` shows owners exactly as stored: those PATCH sets, and the 2FA requirement. */
const STORED_SETTINGS = [
  ...PATCHABLE_SETTINGS,
  'two_factor_requirement_enabled',
] as const satisfies readonly (keyof OrgSettings & keyof OrganizationFull)[];

/** Member privileges orghub does not model (no repositories, issues or discussions here), with GitHub's defaults. */
const UNMODELLED_PRIVILEGES = {
  members_can_delete_repositories: true,
  members_can_change_repo_visibility: true,
  members_can_invite_outside_collaborators: true,
  members_can_delete_issues: false,
  display_commenter_full_name_setting_enabled: false,
  readers_can_create_discussions: true,
  members_can_create_teams: true,
  members_can_view_dependency_insights: true,
} satisfies Partial<OrganizationFull>;

export function organizationSimple(urls: Urls, org: OrgSummary): OrganizationSimple {
  const api = `${urls.api}/orgs/${org.login}`;
  return {
    login: org.login,
    id: org.id,
    node_id: nodeId('Organization', org.id),
    url: api,
    repos_url: `${api}/repos`,
    events_url: `${api}/events`,
    hooks_url: `${api}/hooks`,
    issues_url: `${api}/issues`,
    members_url: `${api}/members{/member}`,
    public_members_url: `${api}/public_members{/member}`,
    avatar_url: urls.avatar(org.id),
    description: org.description,
  };
}

export interface OrgCounts {
  collaborators: number;
  /** Active members and pending invitations. */
  filledSeats: number;
}

/** For the public view, which shows no counts. */
export const PUBLIC_VIEW_COUNTS: OrgCounts = { collaborators: 0, filledSeats: 0 };

/**
 * `GET /orgs/{org}`. The private part (plan, billing, member privileges …) only for owners whose
 * token has `read:org` or `admin:org`, as GitHub shows it.
 */
export function organizationFull(
  urls: Urls,
  org: Account,
  options: { showPrivate: boolean; version: ApiVersion; counts: OrgCounts },
): OrganizationFull {
  const settings = readOrgSettings(org.settings);
  const base: OrganizationFull = {
    ...organizationSimple(urls, org),
    name: org.name,
    company: org.company,
    blog: org.blog,
    location: org.location,
    email: org.email,
    twitter_username: org.twitter_username,
    is_verified: false,
    has_organization_projects: settings.has_organization_projects,
    has_repository_projects: settings.has_repository_projects,
    public_repos: 0,
    public_gists: 0,
    followers: 0,
    following: 0,
    html_url: `${urls.html}/${org.login}`,
    created_at: org.created_at,
    updated_at: org.updated_at,
    archived_at: null,
    type: 'Organization',
  };
  if (!options.showPrivate) return base;
  const full: OrganizationFull = {
    ...base,
    ...UNMODELLED_PRIVILEGES,
    total_private_repos: 0,
    owned_private_repos: 0,
    private_gists: 0,
    disk_usage: 0,
    collaborators: options.counts.collaborators,
    // No seats are bought here: an org has as many seats as it fills.
    plan: { name: settings.plan, space: 976562499, private_repos: 10000, filled_seats: options.counts.filledSeats, seats: options.counts.filledSeats },
    default_repository_branch: 'main',
    members_can_create_repositories:
      settings.members_can_create_public_repositories ||
      settings.members_can_create_private_repositories ||
      settings.members_can_create_internal_repositories,
    members_allowed_repository_creation_type: allowedRepositoryCreationType(settings),
  };
  for (const key of STORED_SETTINGS) (full as Record<string, unknown>)[key] = settings[key];
  // API version 2026-03-10 removes this field from organization-full (x-github-breaking-changes).
  if (options.version === '2026-03-10') delete full.secret_scanning_push_protection_custom_link_enabled;
  return full;
}
