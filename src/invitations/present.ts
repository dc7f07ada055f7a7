import type { components } from '../generated/openapi.js';
import { nodeId, type Urls } from '../http/urls.js';
import { simpleUser } from '../users/present.js';
import { parseTeamIds, type InvitationView } from './store.js';

type OrganizationInvitation = components['schemas']['organization-invitation'];

/** `reinstate` restores plain membership here, so it is listed as the role it grants, as GitHub lists it. */
export function presentedInvitationRole(role: string): string {
  return role === 'reinstate' ? 'direct_member' : role;
}

export function organizationInvitation(urls: Urls, view: InvitationView): OrganizationInvitation {
  return {
    id: view.id,
    login: view.invitee_login,
    email: view.email,
    role: presentedInvitationRole(view.role),
    created_at: view.created_at,
    failed_at: view.failed_at,
    failed_reason: view.failed_reason,
    inviter: simpleUser(urls, { id: view.inviter_id, login: view.inviter_login, type: view.inviter_type, site_admin: view.inviter_site_admin }),
    team_count: parseTeamIds(view).length,
    node_id: nodeId('OrganizationInvitation', view.id),
    invitation_teams_url: `${urls.api}/organizations/${view.org_id}/invitations/${view.id}/teams`,
    invitation_source: view.invitation_source,
  };
}
