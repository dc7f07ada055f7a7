import { findTokenOwner } from '../../tokens/store.js';
import { effectiveScopes } from '../scopes.js';
import { badCredentials, suspendedAccount } from './errors.js';
import type { TokenKind } from './kind.js';

/** Classic personal access tokens (`ghp_…`, or any configured admin token): the kind every unrecognised token is tried as. */
export const classicTokens: TokenKind = {
  recognises: () => true,
  async resolve(token, { db }) {
    const owner = await findTokenOwner(db, token);
    if (owner?.kind !== 'classic') throw badCredentials();
    if (owner.suspended) throw suspendedAccount();
    return {
      kind: 'classic',
      tokenId: owner.tokenId,
      userId: owner.userId,
      login: owner.login,
      siteAdmin: owner.siteAdmin,
      scopes: owner.scopes,
      scopesHeader: owner.scopes.join(', '),
      effective: effectiveScopes(owner.scopes),
    };
  },
};
