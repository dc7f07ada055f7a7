import type { AppPermission, PermissionLevel } from '../operation.js';

/** What kind of credential a request came with; permission checks read `permissions`, not this. */
export type CallerKind = 'classic' | 'fine-grained' | 'installation' | 'app';

/** What an installation or fine-grained token was granted: `write` includes `read`. */
export type GrantedPermissions = Partial<Record<AppPermission, PermissionLevel>>;

/** Who a request acts as and what it may do, whatever the token; every operation sees only this. */
export interface Caller {
  kind: CallerKind;
  /** The token's row id in its kind's table (classic tokens: what SAML credential authorizations are of). */
  tokenId: number;
  /** The acting account: the token's user, or the app's bot account for installation tokens and app JWTs. */
  userId: number;
  login: string;
  siteAdmin: boolean;
  /** Classic scopes as granted; `[]` for other kinds. */
  scopes: string[];
  /** `X-OAuth-Scopes`: the granted scopes, comma-separated; absent for other kinds, which GitHub sends no such header for. */
  scopesHeader?: string;
  /** Granted scopes plus those they imply (`admin:org` ⊃ `write:org` ⊃ `read:org`); empty for other kinds. */
  effective: Set<string>;
  /**
   * Installation and fine-grained tokens: the permissions granted; each operation's `permissions` must be covered.
   * `undefined` for classic tokens, which `acceptedScopes` judge instead. App JWTs: `{}` (only `appJwt` operations).
   */
  permissions?: GrantedPermissions;
  /** The only account (an org) the token may act on: a fine-grained token's resource owner, an installation's account. */
  resourceOwnerId?: number;
  /** When the token stops working, ms since the epoch by `ctx.clock`: from then on it is looked up (and refused) again. */
  expiresAt?: number;
  /** Installation tokens: the installation they were made for. */
  installation?: { id: number; appId: number; repositorySelection: 'all' | 'selected' };
  /** Installation tokens and app JWTs: the app. */
  app?: { id: number; slug: string };
}
