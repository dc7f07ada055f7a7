import type { components } from '../generated/openapi.js';
import type { Urls } from '../http/urls.js';
import { teamSimple } from '../teams/present.js';
import type { TeamRow } from '../teams/store.js';
import { simpleUser, type UserSummary } from '../users/present.js';
import type { PredefinedRole } from './roles.js';
import type { RoleHolder } from './store.js';

type OrganizationRole = components['schemas']['organization-role'];
type TeamRoleAssignment = components['schemas']['team-role-assignment'];
type UserRoleAssignment = components['schemas']['user-role-assignment'];

// Predefined roles belong to no organization and have always existed; GitHub shows them with `organization: null`.
const PREDEFINED_SINCE = '2024-07-10T00:00:00Z';

export function organizationRole(role: PredefinedRole): OrganizationRole {
  return {
    id: role.id,
    name: role.name,
    description: role.description,
    // The schema's enum has no null: a role with no repository access leaves `base_role` out.
    ...(role.base_role ? { base_role: role.base_role } : {}),
    source: 'Predefined',
    permissions: role.permissions,
    organization: null,
    created_at: PREDEFINED_SINCE,
    updated_at: PREDEFINED_SINCE,
  };
}

export function teamRoleAssignment(urls: Urls, orgLogin: string, team: TeamRow, parent: TeamRow | undefined): TeamRoleAssignment {
  return {
    assignment: 'direct',
    ...teamSimple(urls, orgLogin, team),
    parent: parent ? teamSimple(urls, orgLogin, parent) : null,
  };
}

/** `direct` (assigned to the user), `indirect` (through teams only) or `mixed` (both), with the teams it came through. */
export function userRoleAssignment(urls: Urls, orgLogin: string, user: UserSummary, holder: RoleHolder, teams: Map<number, TeamRow>): UserRoleAssignment {
  const through = holder.teamIds.map((id) => teams.get(id)).filter((team): team is TeamRow => team !== undefined);
  // Object.assign, not a spread into a literal: V8 builds such a spread of this many properties far slower (src/users/present.ts).
  return Object.assign(
    { assignment: holder.direct ? (through.length ? ('mixed' as const) : ('direct' as const)) : ('indirect' as const), inherited_from: through.map((team) => teamSimple(urls, orgLogin, team)) },
    simpleUser(urls, user),
  );
}
