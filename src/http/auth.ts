import { performance } from 'node:perf_hooks';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { findTokenOwner, type TokenOwner } from '../tokens/store.js';
import { ApiError } from './errors.js';
import { effectiveScopes } from './scopes.js';

export interface Caller {
  /** The classic token the request came with. */
  tokenId: number;
  userId: number;
  login: string;
  siteAdmin: boolean;
  /** Scopes as granted. */
  scopes: string[];
  /** `X-OAuth-Scopes`: the granted scopes, comma-separated. */
  scopesHeader: string;
  /** Granted scopes plus those they imply (`admin:org` ⊃ `write:org` ⊃ `read:org`). */
  effective: Set<string>;
}

const badCredentials = () => new ApiError(401, 'Bad credentials');
// GitHub's answer to every API request made with a suspended account's token.
const suspended = () => new ApiError(403, 'Sorry. Your account was suspended.');

/** `Authorization: Bearer|token <token>` → the calling user, or null for an anonymous request. */
export class Authenticator {
  // A process trusts a looked-up token for `cacheMs`: revocation by another process is seen within that time.
  private cache = new Map<string, { caller: Caller; expires: number }>();

  constructor(
    private db: Kysely<Database>,
    private cacheMs: number,
  ) {}

  /** The caller, synchronously when the token is cached in this process (the common case), else after a lookup. */
  authenticate(header: string | undefined): Caller | null | Promise<Caller> {
    if (header === undefined || header === '') return null;
    const match = /^(?:bearer|token)\s+(\S+)\s*$/i.exec(header);
    if (!match) throw badCredentials();
    const token = match[1];
    const cached = this.cache.get(token);
    if (cached && cached.expires > performance.now()) return cached.caller;
    return this.lookUp(token);
  }

  private async lookUp(token: string): Promise<Caller> {
    const now = performance.now();
    const owner = await findTokenOwner(this.db, token);
    if (!owner) throw badCredentials();
    if (owner.suspended) throw suspended();
    const caller = toCaller(owner);
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(token, { caller, expires: now + this.cacheMs });
    return caller;
  }

  /** Drops this process's cached tokens of a user (after revoking them, suspending, renaming or promoting the user …). */
  forgetUser(userId: number): void {
    for (const [token, entry] of this.cache) if (entry.caller.userId === userId) this.cache.delete(token);
  }
}

function toCaller(owner: TokenOwner): Caller {
  return {
    tokenId: owner.tokenId,
    userId: owner.userId,
    login: owner.login,
    siteAdmin: owner.siteAdmin,
    scopes: owner.scopes,
    scopesHeader: owner.scopes.join(', '),
    effective: effectiveScopes(owner.scopes),
  };
}
