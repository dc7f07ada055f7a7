import type { components } from '../generated/openapi.js';
import type { Account } from '../accounts/store.js';
import { nodeId, type Urls } from '../http/urls.js';
import type { ApiVersion } from '../http/versions.js';
import { allowedRepositoryCreationType, readOrgSettings } from './settings.js';

type OrganizationSimple = components['schemas']['organization-simple'];
type OrganizationFull = components['schemas']['organization-full'];

export type OrgSummary = Pick<Account, 'id' | 'login' | 'description'>;

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
}

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
  // Built by assignment: object spread into large literals costs tens of µs per answer in V8, on the hottest route.
  const full = organizationSimple(urls, org) as OrganizationFull;
  full.name = org.name;
  full.company = org.company;
  full.blog = org.blog;
  full.location = org.location;
  full.email = org.email;
  full.twitter_username = org.twitter_username;
  full.is_verified = false;
  full.has_organization_projects = settings.has_organization_projects;
  full.has_repository_projects = settings.has_repository_projects;
  full.public_repos = 0;
  full.public_gists = 0;
  full.followers = 0;
  full.following = 0;
  full.html_url = `${urls.html}/${org.login}`;
  full.created_at = org.created_at;
  full.updated_at = org.updated_at;
  full.archived_at = null;
  full.type = 'Organization';
  if (!options.showPrivate) return full;
  full.total_private_repos = 0;
  full.owned_private_repos = 0;
  full.private_gists = 0;
  full.disk_usage = 0;
  full.collaborators = options.counts.collaborators;
  full.billing_email = settings.billing_email;
  full.plan = { name: settings.plan, space: 976562499, private_repos: 10000, filled_seats: 0, seats: 0 };
  full.default_repository_permission = settings.default_repository_permission;
  full.default_repository_branch = 'main';
  full.members_can_create_repositories =
    settings.members_can_create_public_repositories ||
    settings.members_can_create_private_repositories ||
    settings.members_can_create_internal_repositories;
  full.two_factor_requirement_enabled = settings.two_factor_requirement_enabled;
  full.members_allowed_repository_creation_type = allowedRepositoryCreationType(settings);
  full.members_can_create_public_repositories = settings.members_can_create_public_repositories;
  full.members_can_create_private_repositories = settings.members_can_create_private_repositories;
  full.members_can_create_internal_repositories = settings.members_can_create_internal_repositories;
  full.members_can_create_pages = settings.members_can_create_pages;
  full.members_can_create_public_pages = settings.members_can_create_public_pages;
  full.members_can_create_private_pages = settings.members_can_create_private_pages;
  full.members_can_delete_repositories = true;
  full.members_can_change_repo_visibility = true;
  full.members_can_invite_outside_collaborators = true;
  full.members_can_delete_issues = false;
  full.display_commenter_full_name_setting_enabled = false;
  full.readers_can_create_discussions = true;
  full.members_can_create_teams = true;
  full.members_can_view_dependency_insights = true;
  full.members_can_fork_private_repositories = settings.members_can_fork_private_repositories;
  full.web_commit_signoff_required = settings.web_commit_signoff_required;
  full.advanced_security_enabled_for_new_repositories = settings.advanced_security_enabled_for_new_repositories;
  full.dependabot_alerts_enabled_for_new_repositories = settings.dependabot_alerts_enabled_for_new_repositories;
  full.dependabot_security_updates_enabled_for_new_repositories = settings.dependabot_security_updates_enabled_for_new_repositories;
  full.dependency_graph_enabled_for_new_repositories = settings.dependency_graph_enabled_for_new_repositories;
  full.secret_scanning_enabled_for_new_repositories = settings.secret_scanning_enabled_for_new_repositories;
  full.secret_scanning_push_protection_enabled_for_new_repositories = settings.secret_scanning_push_protection_enabled_for_new_repositories;
  // API version 2026-03-10 removes this field from organization-full (x-github-breaking-changes).
  if (options.version !== '2026-03-10') {
    full.secret_scanning_push_protection_custom_link_enabled = settings.secret_scanning_push_protection_custom_link_enabled;
  }
  full.secret_scanning_push_protection_custom_link = settings.secret_scanning_push_protection_custom_link;
  full.deploy_keys_enabled_for_repositories = settings.deploy_keys_enabled_for_repositories;
  return full;
}
