/** The organization settings `PATCH /orgs/{org}` changes, stored as one JSON document per org. */
export interface OrgSettings {
  billing_email: string | null;
  has_organization_projects: boolean;
  has_repository_projects: boolean;
  default_repository_permission: 'read' | 'write' | 'admin' | 'none';
  members_can_create_public_repositories: boolean;
  members_can_create_private_repositories: boolean;
  members_can_create_internal_repositories: boolean;
  members_can_create_pages: boolean;
  members_can_create_public_pages: boolean;
  members_can_create_private_pages: boolean;
  members_can_fork_private_repositories: boolean;
  web_commit_signoff_required: boolean;
  advanced_security_enabled_for_new_repositories: boolean;
  dependabot_alerts_enabled_for_new_repositories: boolean;
  dependabot_security_updates_enabled_for_new_repositories: boolean;
  dependency_graph_enabled_for_new_repositories: boolean;
  secret_scanning_enabled_for_new_repositories: boolean;
  secret_scanning_push_protection_enabled_for_new_repositories: boolean;
  secret_scanning_push_protection_custom_link_enabled: boolean;
  secret_scanning_push_protection_custom_link: string | null;
  deploy_keys_enabled_for_repositories: boolean;
  two_factor_requirement_enabled: boolean;
  plan: 'free' | 'team' | 'enterprise';
}

/** GitHub's defaults for a new organization. */
export const defaultOrgSettings: OrgSettings = {
  billing_email: null,
  has_organization_projects: true,
  has_repository_projects: true,
  default_repository_permission: 'read',
  members_can_create_public_repositories: true,
  members_can_create_private_repositories: true,
  members_can_create_internal_repositories: false,
  members_can_create_pages: true,
  members_can_create_public_pages: true,
  members_can_create_private_pages: true,
  members_can_fork_private_repositories: false,
  web_commit_signoff_required: false,
  advanced_security_enabled_for_new_repositories: false,
  dependabot_alerts_enabled_for_new_repositories: false,
  dependabot_security_updates_enabled_for_new_repositories: false,
  dependency_graph_enabled_for_new_repositories: false,
  secret_scanning_enabled_for_new_repositories: false,
  secret_scanning_push_protection_enabled_for_new_repositories: false,
  secret_scanning_push_protection_custom_link_enabled: false,
  secret_scanning_push_protection_custom_link: null,
  deploy_keys_enabled_for_repositories: true,
  two_factor_requirement_enabled: false,
  plan: 'free',
};

export function parseOrgSettings(stored: string | null): OrgSettings {
  return { ...defaultOrgSettings, ...(stored ? (JSON.parse(stored) as Partial<OrgSettings>) : {}) };
}

/** The deprecated `members_allowed_repository_creation_type`, derived from the granular settings it stands for. */
export function allowedRepositoryCreationType(s: OrgSettings): 'all' | 'private' | 'none' {
  if (s.members_can_create_public_repositories) return 'all';
  return s.members_can_create_private_repositories ? 'private' : 'none';
}

/** The settings `PATCH /orgs/{org}` sets directly, each under its own name. */
export const PATCHABLE_SETTINGS = [
  'billing_email', 'has_organization_projects', 'has_repository_projects', 'default_repository_permission',
  'members_can_create_public_repositories', 'members_can_create_private_repositories', 'members_can_create_internal_repositories',
  'members_can_create_pages', 'members_can_create_public_pages', 'members_can_create_private_pages',
  'members_can_fork_private_repositories', 'web_commit_signoff_required', 'advanced_security_enabled_for_new_repositories',
  'dependabot_alerts_enabled_for_new_repositories', 'dependabot_security_updates_enabled_for_new_repositories',
  'dependency_graph_enabled_for_new_repositories', 'secret_scanning_enabled_for_new_repositories',
  'secret_scanning_push_protection_enabled_for_new_repositories', 'secret_scanning_push_protection_custom_link_enabled',
  'secret_scanning_push_protection_custom_link', 'deploy_keys_enabled_for_repositories',
] as const satisfies readonly (keyof OrgSettings)[];
