import { performance } from 'node:perf_hooks';
import { badCredentials } from './errors.js';
import type { Caller } from './caller.js';
import type { PathNames, Resolved, TokenEnvironment, TokenKind } from './kind.js';
import { tokenKinds } from './kinds.js';

/** `Authorization: Bearer|token <token>` → the caller, or null for an anonymous request. */
export class Authenticator {
  // A process trusts a looked-up token for `cacheMs`: revocation by another process is seen within that time.
  private cache = new Map<string, { caller: Caller; expires: number }>();
  // Lookups under way: requests with the same token (and path names) wait for the one lookup instead of each starting its own.
  private pending = new Map<string, Promise<Resolved>>();

  constructor(
    private env: TokenEnvironment,
    private cacheMs: number,
    private kinds: readonly TokenKind[] = tokenKinds,
  ) {}

  /**
   * The caller, synchronously when the token is cached in this process (the common case), else after a lookup,
   * which reads what the request's path `names` too where the token's kind can (Resolved).
   */
  authenticate(header: string | undefined, names: PathNames = {}): Caller | null | Promise<Resolved> {
    if (header === undefined || header === '') return null;
    const match = /^(?:bearer|token)\s+(\S+)\s*$/i.exec(header);
    if (!match) throw badCredentials();
    const token = match[1];
    const cached = this.cache.get(token);
    if (cached && cached.expires > performance.now() && !this.expired(cached.caller)) return cached.caller;
    // Requests share a lookup only when it reads the same things for them (PathNames, the counters included).
    const key = names.org === undefined && names.username === undefined ? token : `${token}\u0000${names.org ?? ''}\u0000${names.username ?? ''}\u0000${names.orgCounts ? 1 : 0}`;
    let lookup = this.pending.get(key);
    if (!lookup) {
      lookup = this.lookUp(token, names).finally(() => this.pending.delete(key));
      this.pending.set(key, lookup);
    }
    return lookup;
  }

  private expired(caller: Caller): boolean {
    return caller.expiresAt !== undefined && this.env.clock.now().getTime() >= caller.expiresAt;
  }

  private async lookUp(token: string, names: PathNames): Promise<Resolved> {
    const now = performance.now();
    const kind = this.kinds.find((candidate) => candidate.recognises(token));
    if (!kind) throw badCredentials();
    const resolved = await kind.resolve(token, this.env, names);
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(token, { caller: resolved.caller, expires: now + this.cacheMs });
    return resolved;
  }

  /** Drops this process's cached tokens whose caller matches (after uninstalling an app, suspending an installation …). */
  forgetWhere(matches: (caller: Caller) => boolean): void {
    for (const [token, entry] of this.cache) if (matches(entry.caller)) this.cache.delete(token);
  }

  /** Drops this process's cached tokens of a user (after revoking them, suspending, renaming or promoting the user …). */
  forgetUser(userId: number): void {
    this.forgetWhere((caller) => caller.userId === userId);
  }
}
