import type { components } from '../generated/openapi.js';
import type { Account } from '../accounts/store.js';
import { etagOf, etagOfParts } from '../http/conditional.js';
import { nodeId, type Urls } from '../http/urls.js';
import type { ApiVersion } from '../http/versions.js';
import { allowedRepositoryCreationType, defaultOrgSettings, PATCHABLE_SETTINGS, parseOrgSettings, type OrgSettings } from './settings.js';

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

/** The org counters the owners' view shows, read with the org (src/orgs/access.ts). */
export interface OrgCounts {
  /** Outside collaborators (src/outside-collaborators). */
  collaborators: number;
  /** Active members and pending invitations: the seats GitHub bills (members plus the invitations that will become members). */
  filledSeats: number;
}

/** For the public view, which shows no counts. */
export const PUBLIC_VIEW_COUNTS: OrgCounts = { collaborators: 0, filledSeats: 0 };

/** The private fields of `organization-full` that follow from the settings document alone. */
type SettingsFields = Pick<
  OrganizationFull,
  | keyof typeof UNMODELLED_PRIVILEGES
  | (typeof STORED_SETTINGS)[number]
  | 'members_can_create_repositories'
  | 'members_allowed_repository_creation_type'
>;

/** What an org's settings document contributes to `organization-full`, built once per document (see `settingsPartsOf`). */
interface SettingsParts {
  settings: Readonly<OrgSettings>;
  /** Names the document in an ETag (`organizationFullWithTag`) without hashing its text on every request. */
  digest: string;
  /** The private fields, per API version. */
  private: Readonly<SettingsFields>;
  privateSince20260310: Readonly<SettingsFields>;
}

/** A literal, so the object stays in V8's fast mode (a loop of keyed stores makes a slow dictionary of it). */
function settingsFields(s: OrgSettings, version: ApiVersion): SettingsFields {
  return {
    ...UNMODELLED_PRIVILEGES,
    members_can_create_repositories:
      s.members_can_create_public_repositories || s.members_can_create_private_repositories || s.members_can_create_internal_repositories,
    members_allowed_repository_creation_type: allowedRepositoryCreationType(s),
    billing_email: s.billing_email,
    has_organization_projects: s.has_organization_projects,
    has_repository_projects: s.has_repository_projects,
    default_repository_permission: s.default_repository_permission,
    members_can_create_public_repositories: s.members_can_create_public_repositories,
    members_can_create_private_repositories: s.members_can_create_private_repositories,
    members_can_create_internal_repositories: s.members_can_create_internal_repositories,
    members_can_create_pages: s.members_can_create_pages,
    members_can_create_public_pages: s.members_can_create_public_pages,
    members_can_create_private_pages: s.members_can_create_private_pages,
    members_can_fork_private_repositories: s.members_can_fork_private_repositories,
    web_commit_signoff_required: s.web_commit_signoff_required,
    advanced_security_enabled_for_new_repositories: s.advanced_security_enabled_for_new_repositories,
    dependabot_alerts_enabled_for_new_repositories: s.dependabot_alerts_enabled_for_new_repositories,
    dependabot_security_updates_enabled_for_new_repositories: s.dependabot_security_updates_enabled_for_new_repositories,
    dependency_graph_enabled_for_new_repositories: s.dependency_graph_enabled_for_new_repositories,
    secret_scanning_enabled_for_new_repositories: s.secret_scanning_enabled_for_new_repositories,
    secret_scanning_push_protection_enabled_for_new_repositories: s.secret_scanning_push_protection_enabled_for_new_repositories,
    // API version 2026-03-10 removes this field from organization-full (x-github-breaking-changes): undefined is not serialized.
    secret_scanning_push_protection_custom_link_enabled:
      version === '2026-03-10' ? undefined : s.secret_scanning_push_protection_custom_link_enabled,
    secret_scanning_push_protection_custom_link: s.secret_scanning_push_protection_custom_link,
    deploy_keys_enabled_for_repositories: s.deploy_keys_enabled_for_repositories,
    two_factor_requirement_enabled: s.two_factor_requirement_enabled,
  } satisfies Partial<OrganizationFull> & Record<(typeof STORED_SETTINGS)[number], unknown>;
}

function buildSettingsParts(stored: string | null): SettingsParts {
  const settings = stored === null ? defaultOrgSettings : Object.freeze(parseOrgSettings(stored));
  return {
    settings,
    digest: stored === null ? 'default' : etagOf(stored),
    private: Object.freeze(settingsFields(settings, '2022-11-28')),
    privateSince20260310: Object.freeze(settingsFields(settings, '2026-03-10')),
  };
}

/** Settings documents whose parts are kept; bounded so memory does not grow with the number of orgs served. */
const SETTINGS_PARTS_ENTRIES = 10_000;
const settingsParts = new Map<string | null, SettingsParts>();

/**
 * The parts of `org`'s settings document, the oldest entry dropped first: GET /orgs/{org} would otherwise parse and
 * rebuild the same document on every request. Keyed by the stored text itself, so orgs with the same settings (most
 * keep GitHub's defaults) share one entry and a changed document never meets an old one. First in, first out, not
 * least recently used: moving an entry on every hit cost two more lookups of a 1 KB key, and a busy entry dropped is
 * only built once more.
 */
function settingsPartsOf(org: Account): SettingsParts {
  const stored = org.settings;
  const found = settingsParts.get(stored);
  if (found !== undefined) return found;
  const built = buildSettingsParts(stored);
  if (settingsParts.size >= SETTINGS_PARTS_ENTRIES) settingsParts.delete(settingsParts.keys().next().value!);
  settingsParts.set(stored, built);
  return built;
}

/** The public view's source of private fields: every one undefined, hence not serialized. */
const NO_PRIVATE_FIELDS: Partial<SettingsFields> = Object.freeze({});

type OrganizationFullOptions = { showPrivate: boolean; version: ApiVersion; counts: OrgCounts };

/**
 * `GET /orgs/{org}`. The private part (plan, billing, member privileges …) only for owners whose
 * token has `read:org` or `admin:org`, as GitHub shows it.
 * One object literal for both views (the public one leaves the private fields undefined, which the response
 * serializer omits): merging objects (spreads, Object.assign) made a slow dictionary of this 60-field answer.
 */
export function organizationFull(urls: Urls, org: Account, options: OrganizationFullOptions): OrganizationFull {
  return fullOf(urls, org, options, settingsPartsOf(org));
}

function fullOf(urls: Urls, org: Account, options: OrganizationFullOptions, parts: SettingsParts): OrganizationFull {
  const p = !options.showPrivate ? NO_PRIVATE_FIELDS : options.version === '2026-03-10' ? parts.privateSince20260310 : parts.private;
  const simple = organizationSimple(urls, org);
  const seats = options.counts.filledSeats;
  return {
    login: simple.login,
    id: simple.id,
    node_id: simple.node_id,
    url: simple.url,
    repos_url: simple.repos_url,
    events_url: simple.events_url,
    hooks_url: simple.hooks_url,
    issues_url: simple.issues_url,
    members_url: simple.members_url,
    public_members_url: simple.public_members_url,
    avatar_url: simple.avatar_url,
    description: simple.description,
    name: org.name,
    company: org.company,
    blog: org.blog,
    location: org.location,
    email: org.email,
    twitter_username: org.twitter_username,
    is_verified: false,
    has_organization_projects: parts.settings.has_organization_projects,
    has_repository_projects: parts.settings.has_repository_projects,
    public_repos: 0,
    public_gists: 0,
    followers: 0,
    following: 0,
    html_url: `${urls.html}/${org.login}`,
    created_at: org.created_at,
    updated_at: org.updated_at,
    archived_at: null,
    type: 'Organization',
    total_private_repos: options.showPrivate ? 0 : undefined,
    owned_private_repos: options.showPrivate ? 0 : undefined,
    private_gists: options.showPrivate ? 0 : undefined,
    disk_usage: options.showPrivate ? 0 : undefined,
    collaborators: options.showPrivate ? options.counts.collaborators : undefined,
    default_repository_branch: options.showPrivate ? 'main' : undefined,
    // No seats are bought here: an org has as many seats as it fills.
    plan: options.showPrivate
      ? { name: parts.settings.plan, space: 976562499, private_repos: 10000, filled_seats: seats, seats }
      : undefined,
    members_can_delete_repositories: p.members_can_delete_repositories,
    members_can_change_repo_visibility: p.members_can_change_repo_visibility,
    members_can_invite_outside_collaborators: p.members_can_invite_outside_collaborators,
    members_can_delete_issues: p.members_can_delete_issues,
    display_commenter_full_name_setting_enabled: p.display_commenter_full_name_setting_enabled,
    readers_can_create_discussions: p.readers_can_create_discussions,
    members_can_create_teams: p.members_can_create_teams,
    members_can_view_dependency_insights: p.members_can_view_dependency_insights,
    members_can_create_repositories: p.members_can_create_repositories,
    members_allowed_repository_creation_type: p.members_allowed_repository_creation_type,
    billing_email: p.billing_email,
    default_repository_permission: p.default_repository_permission,
    members_can_create_public_repositories: p.members_can_create_public_repositories,
    members_can_create_private_repositories: p.members_can_create_private_repositories,
    members_can_create_internal_repositories: p.members_can_create_internal_repositories,
    members_can_create_pages: p.members_can_create_pages,
    members_can_create_public_pages: p.members_can_create_public_pages,
    members_can_create_private_pages: p.members_can_create_private_pages,
    members_can_fork_private_repositories: p.members_can_fork_private_repositories,
    web_commit_signoff_required: p.web_commit_signoff_required,
    advanced_security_enabled_for_new_repositories: p.advanced_security_enabled_for_new_repositories,
    dependabot_alerts_enabled_for_new_repositories: p.dependabot_alerts_enabled_for_new_repositories,
    dependabot_security_updates_enabled_for_new_repositories: p.dependabot_security_updates_enabled_for_new_repositories,
    dependency_graph_enabled_for_new_repositories: p.dependency_graph_enabled_for_new_repositories,
    secret_scanning_enabled_for_new_repositories: p.secret_scanning_enabled_for_new_repositories,
    secret_scanning_push_protection_enabled_for_new_repositories: p.secret_scanning_push_protection_enabled_for_new_repositories,
    secret_scanning_push_protection_custom_link_enabled: p.secret_scanning_push_protection_custom_link_enabled,
    secret_scanning_push_protection_custom_link: p.secret_scanning_push_protection_custom_link,
    deploy_keys_enabled_for_repositories: p.deploy_keys_enabled_for_repositories,
    two_factor_requirement_enabled: p.two_factor_requirement_enabled,
  } satisfies OrganizationFull & Record<keyof SettingsFields, unknown>;
}

/**
 * `organizationFull` with its ETag, made from every input the body reads instead of the 2.5 KB it serializes to (keep
 * the two in step). Not from `updated_at` alone: it has whole seconds, so two changes within one second would share a tag.
 */
export function organizationFullWithTag(urls: Urls, org: Account, options: OrganizationFullOptions): { body: OrganizationFull; etag: string } {
  const parts = settingsPartsOf(org);
  const { showPrivate, version, counts } = options;
  const etag = etagOfParts([
    org.id, org.login, org.description, org.name, org.company, org.blog, org.location, org.email, org.twitter_username,
    org.created_at, org.updated_at, parts.digest, urls.api, urls.html, showPrivate ? 1 : 0, version,
    counts.collaborators, counts.filledSeats,
  ]);
  return { body: fullOf(urls, org, options, parts), etag };
}
