import { effectiveScopes } from '../scopes.js';
import { badCredentials, suspendedAccount } from './errors.js';
import type { Caller } from './caller.js';
import type { TokenKind } from './kind.js';
import { lookUpTokenOwner } from './token-owner.js';

/** Classic personal access tokens (`ghp_…`, or any configured admin token): the kind every unrecognised token is tried as. */
export const classicTokens: TokenKind = {
  recognises: () => true,
  async resolve(token, { db }, names) {
    const { owner, orgRead, namedUser } = await lookUpTokenOwner(db, token, names);
    if (owner?.kind !== 'classic') throw badCredentials();
    if (owner.suspended) throw suspendedAccount();
    const caller: Caller = {
      kind: 'classic',
      tokenId: owner.tokenId,
      userId: owner.userId,
      login: owner.login,
      siteAdmin: owner.siteAdmin,
      scopes: owner.scopes,
      scopesHeader: owner.scopes.join(', '),
      effective: effectiveScopes(owner.scopes),
    };
    return { caller, orgRead, namedUser, storedWindow: owner.storedWindow };
  },
};
