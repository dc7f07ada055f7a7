import type { components } from '../generated/openapi.js';

type BaseRole = NonNullable<components['schemas']['organization-role']['base_role']>;

/** One of GitHub's predefined organization roles: the same in every org, so a constant table rather than rows. */
export interface PredefinedRole {
  id: number;
  name: string;
  description: string;
  base_role: BaseRole | null;
  permissions: string[];
}

// The all_repo_* ids are GitHub's (the same in every org); GitHub documents none for the others, so these are ours.
export const SECURITY_MANAGER_ROLE_ID = 138;

/** GitHub's predefined organization roles ("Using organization roles"), in id order as GitHub lists them. */
export const PREDEFINED_ROLES: readonly PredefinedRole[] = [
  {
    id: SECURITY_MANAGER_ROLE_ID,
    name: 'security_manager',
    description: 'Manages security policies, security alerts, and security configurations for an organization and all its repositories.',
    base_role: 'read',
    permissions: [
      'delete_alerts_code_scanning', 'read_code_scanning', 'resolve_dependabot_alerts', 'resolve_secret_scanning_alerts',
      'view_dependabot_alerts', 'view_secret_scanning_alerts', 'write_code_scanning',
      'read_organization_custom_org_role', 'read_organization_custom_repo_role', 'write_organization_security_center',
    ],
  },
  {
    id: 8132,
    name: 'all_repo_read',
    description: 'Grants read access to all repositories in the organization.',
    base_role: 'read',
    permissions: [],
  },
  {
    id: 8133,
    name: 'all_repo_triage',
    description: 'Grants triage access to all repositories in the organization.',
    base_role: 'triage',
    permissions: [],
  },
  {
    id: 8134,
    name: 'all_repo_write',
    description: 'Grants write access to all repositories in the organization.',
    base_role: 'write',
    permissions: [],
  },
  {
    id: 8135,
    name: 'all_repo_maintain',
    description: 'Grants maintenance access to all repositories in the organization.',
    base_role: 'maintain',
    permissions: [],
  },
  {
    id: 8136,
    name: 'all_repo_admin',
    description: 'Grants admin access to all repositories in the organization.',
    base_role: 'admin',
    permissions: [],
  },
  {
    id: 8137,
    name: 'ci_cd_admin',
    description: 'Grants admin access to manage Actions policies, runners, runner groups, hosted compute network configurations, secrets, variables, and usage metrics for an organization.',
    base_role: null,
    permissions: [
      'read_organization_actions_usage_metrics', 'write_organization_actions_secrets', 'write_organization_actions_settings',
      'write_organization_actions_variables', 'write_organization_network_configurations', 'write_organization_runner_custom_images',
      'write_organization_runners_and_runner_groups',
    ],
  },
];

const BY_ID = new Map(PREDEFINED_ROLES.map((role) => [role.id, role]));

/** The predefined role a `{role_id}` path segment names, if any. */
export function predefinedRole(roleId: string | number): PredefinedRole | undefined {
  const id = typeof roleId === 'number' ? roleId : /^\d+$/.test(roleId) ? Number(roleId) : NaN;
  return BY_ID.get(id);
}
