import type { components } from '../generated/openapi.js';
import type { Urls } from '../http/urls.js';
import { organizationSimple, type OrgSummary } from '../orgs/present.js';
import { simpleUser, type UserSummary } from '../users/present.js';
import type { MembershipRole, MembershipState } from './store.js';

type OrgMembership = components['schemas']['org-membership'];

export function orgMembership(
  urls: Urls,
  org: OrgSummary,
  user: UserSummary,
  membership: { role: MembershipRole; state: MembershipState },
): OrgMembership {
  const orgUrl = `${urls.api}/orgs/${org.login}`;
  return {
    url: `${orgUrl}/memberships/${user.login}`,
    state: membership.state,
    role: membership.role,
    organization_url: orgUrl,
    organization: organizationSimple(urls, org),
    user: simpleUser(urls, user),
  };
}
