import { siteAdminOperation } from '../admin/routes.js';
import type { components } from '../generated/openapi.js';
import { orgOf, type Operation } from '../http/operation.js';
import { readPage, setPageLinks } from '../http/pagination.js';
import { credentialAuthorizationsPage, revokeCredentialAuthorization, setSamlEnforcement } from './service.js';
import type { ListedAuthorization } from './store.js';

type CredentialAuthorization = components['schemas']['credential-authorization'];

/** A classic token's authorization as GitHub lists it; orghub's tokens have neither a note nor an expiry. */
function credentialAuthorization(row: ListedAuthorization): CredentialAuthorization {
  return {
    login: row.login,
    credential_id: row.id,
    credential_type: 'personal access token',
    token_last_eight: row.tokenLastEight,
    credential_authorized_at: row.authorizedAt,
    credential_accessed_at: row.accessedAt,
    authorized_credential_id: row.tokenId,
    authorized_credential_note: null,
    authorized_credential_expires_at: null,
    scopes: row.scopes,
  };
}

/** Owners only (404 for anyone else); `read:org` to list ("need the `read:org` scope"), `admin:org` to remove. */
const listSamlSsoAuthorizations: Operation = {
  operationId: 'orgs/list-saml-sso-authorizations',
  permissions: { organization_administration: 'read' },
  authenticated: true,
  acceptedScopes: ['admin:org', 'read:org', 'write:org'],
  enforceScopes: true,
  orgRole: 'owner',
  async handler(request, reply) {
    const query = request.query as { login?: string; page?: unknown; per_page?: unknown };
    const page = readPage(query);
    const { rows, total } = await credentialAuthorizationsPage(request.server.ctx, orgOf(request).org, query.login, page);
    setPageLinks(request, reply, page, total);
    return rows.map(credentialAuthorization);
  },
};

const removeSamlSsoAuthorization: Operation = {
  operationId: 'orgs/remove-saml-sso-authorization',
  permissions: { organization_administration: 'write' },
  authenticated: true,
  acceptedScopes: ['admin:org'],
  enforceScopes: true,
  orgRole: 'owner',
  async handler(request, reply) {
    const { credential_id: credentialId } = request.params as { credential_id: string };
    await revokeCredentialAuthorization(request.server.ctx, orgOf(request).org, request.caller!, credentialId);
    return reply.code(204).send();
  },
};

/** orghub extension, not in GitHub's description: `PATCH /admin/organizations/{org}/saml` `{ "enforced": boolean }`. */
const setSamlEnforcementForOrg = siteAdminOperation({
  operationId: 'orghub/set-saml-enforcement',
  method: 'PATCH',
  path: '/admin/organizations/{org}/saml',
  resource: 'Organization',
  body: {
    type: 'object',
    additionalProperties: false,
    properties: { enforced: { type: 'boolean' } },
    required: ['enforced'],
  },
  async handler(request) {
    const { enforced } = request.body as { enforced: boolean };
    await setSamlEnforcement(request.server.ctx, request.caller!, orgOf(request).org, enforced);
    return { enforced };
  },
});

export const credentialAuthorizationOperations: Operation[] = [listSamlSsoAuthorizations, removeSamlSsoAuthorization, setSamlEnforcementForOrg];
