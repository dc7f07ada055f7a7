import { findInstallationToken } from '../../apps/store.js';
import type { Caller, GrantedPermissions } from './caller.js';
import { badCredentials } from './errors.js';
import type { TokenKind } from './kind.js';

/**
 * Installation access tokens (`ghs_…`): they act as the app's `{slug}[bot]` account on the installation's org, with
 * the permissions the token was made with, until they expire (an hour) or the installation is removed or suspended.
 */
export const installationTokens: TokenKind = {
  recognises: (token) => token.startsWith('ghs_'),
  async resolve(token, { db, clock }) {
    const found = await findInstallationToken(db, token);
    const now = clock.now().getTime();
    // Suspension deletes an installation's tokens; the check covers a token minted while another process suspended it.
    if (!found || found.suspended_at !== null || Date.parse(found.expires_at) <= now) throw badCredentials();
    const caller: Caller = {
      kind: 'installation',
      tokenId: found.token_id,
      userId: found.bot_id,
      login: found.bot_login,
      siteAdmin: false,
      scopes: [],
      effective: new Set(),
      permissions: JSON.parse(found.permissions) as GrantedPermissions,
      resourceOwnerId: found.org_id,
      expiresAt: Date.parse(found.expires_at),
      installation: { id: found.installation_id, appId: found.app_id, repositorySelection: found.repository_selection },
      app: { id: found.app_id, slug: found.app_slug },
    };
    return { caller };
  },
};
