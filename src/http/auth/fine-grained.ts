import type { Caller, GrantedPermissions } from './caller.js';
import { badCredentials, suspendedAccount } from './errors.js';
import type { TokenKind } from './kind.js';
import { lookUpTokenOwner } from './token-owner.js';

/** Fine-grained personal access tokens (`github_pat_…`): the user's, limited to one resource owner and its permissions. */
export const fineGrainedTokens: TokenKind = {
  recognises: (token) => token.startsWith('github_pat_'),
  async resolve(token, { db, clock }, names) {
    const { owner, orgRead, namedUser } = await lookUpTokenOwner(db, token, names);
    if (owner?.kind !== 'fine-grained') throw badCredentials();
    const expiresAt = owner.expiresAt === null ? undefined : Date.parse(owner.expiresAt);
    // An expired token is refused as an unknown one, as GitHub does.
    if (expiresAt !== undefined && clock.now().getTime() >= expiresAt) throw badCredentials();
    if (owner.suspended) throw suspendedAccount();
    const caller: Caller = {
      kind: 'fine-grained',
      tokenId: owner.tokenId,
      userId: owner.userId,
      login: owner.login,
      siteAdmin: owner.siteAdmin,
      scopes: [],
      effective: new Set(),
      permissions: JSON.parse(owner.permissions ?? '{}') as GrantedPermissions,
      resourceOwnerId: owner.resourceOwnerId ?? undefined,
      expiresAt,
    };
    return { caller, orgRead, namedUser, storedWindow: owner.storedWindow };
  },
};
