import { performance } from 'node:perf_hooks';
import type { Kysely } from 'kysely';
import type { Account } from '../accounts/store.js';
import { isoSeconds, type Clock } from '../clock.js';
import type { Database } from '../db/schema.js';
import { ApiError } from '../http/errors.js';
import type { Urls } from '../http/urls.js';
import { isMember, type OrgAccess } from '../orgs/access.js';
import { authorizeOnFirstUse } from './service.js';
import { findAuthorization, touchAuthorizations } from './store.js';
import { nextTurn } from '../db/next-turn.js';

const MAX_KNOWN = 10_000;
/** Ids per UPDATE of access times: well below either store's limit on bound parameters. */
const TOUCH_BATCH = 500;

/** GitHub's answer to a token that may not reach an org enforcing SAML SSO, with the `X-GitHub-SSO` header it sends. */
export function samlEnforcementRefusal(urls: Urls, org: Pick<Account, 'login'>): ApiError {
  return new ApiError(403, 'Resource protected by organization SAML enforcement. You must grant your Personal Access token access to this organization.', {
    documentationUrl: 'https://docs.github.com/articles/authenticating-to-a-github-organization-with-saml-single-sign-on/',
    // GitHub's url starts an SSO authorization request; orghub has no identity provider to send anyone to, and a revoked
    // token cannot be authorized again, so it names the org's SSO page alone.
    headers: { 'X-GitHub-SSO': `required; url=${urls.html}/orgs/${org.login}/sso` },
  });
}

interface Known {
  id: number;
  revoked: boolean;
  /** performance.now() until which this process trusts the entry. */
  expires: number;
}

/**
 * SAML SSO enforcement on every request to an org's resources (src/http/operation.ts calls `admit` where the caller's
 * view of the org is resolved). While an org enforces it, a member's token needs a credential authorization for the
 * org: the first use makes one, a revoked one is refused with GitHub's 403.
 * - A process trusts what it looked up for `cacheMs` (authCacheMs): a revocation made through
 *   another process is seen within that time, one made through this process at once.
 * - `credential_accessed_at` is kept off the request's path, as rate-limit counts are: uses are noted in memory and
 *   written in batches every `flushMs` (and on close).
 */
export class SamlEnforcement {
  private known = new Map<string, Known>();
  /** Authorization id → the latest use not yet written. */
  private accessed = new Map<number, string>();
  private timer: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private db: Kysely<Database>,
    private clock: Clock,
    private urls: Urls,
    private cacheMs: number,
    flushMs: number,
    private onError: (error: unknown) => void = () => undefined,
  ) {
    this.timer = setInterval(() => void this.flush(), flushMs);
    this.timer.unref();
  }

  /** Lets the request through, authorizing the token on first use, or throws the SAML refusal; synchronous when known. */
  admit(access: OrgAccess): void | Promise<void> {
    const { org, caller } = access;
    // Outside collaborators and billing managers are not members: SSO is not asked of them. Nor of installation and
    // fine-grained tokens (those with permissions): GitHub asks for credential authorizations of classic tokens only.
    if (org.saml_sso_enforced !== 1 || !caller || access.permissions || !isMember(access)) return;
    const key = `${org.id}:${caller.tokenId}`;
    const known = this.known.get(key);
    if (known && known.expires > performance.now()) return this.use(org, known);
    return this.lookUp(access, key).then((found) => this.use(org, found));
  }

  /** An owner revoked authorization `id` of token `tokenId` for `orgId` (committed): refuse the token here at once. */
  revoked(orgId: number, tokenId: number, id: number): void {
    this.known.set(`${orgId}:${tokenId}`, { id, revoked: true, expires: performance.now() + this.cacheMs });
    this.accessed.delete(id);
  }

  private async lookUp(access: OrgAccess, key: string): Promise<Known> {
    const now = performance.now();
    const { org, caller } = access;
    const row = (await findAuthorization(this.db, org.id, caller!.tokenId)) ?? (await authorizeOnFirstUse(this.db, this.clock, org, caller!));
    // A revocation this process made while the row was being read stands.
    const meanwhile = this.known.get(key);
    if (meanwhile?.revoked) return meanwhile;
    const known = { id: row.id, revoked: row.revoked_at !== null, expires: now + this.cacheMs };
    if (this.known.size >= MAX_KNOWN) this.known.clear();
    this.known.set(key, known);
    return known;
  }

  private use(org: Account, known: Known): void {
    if (known.revoked) throw samlEnforcementRefusal(this.urls, org);
    this.accessed.set(known.id, isoSeconds(this.clock.now()));
  }

  /** Writes the access times noted so far; waits for a write already under way. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.writeAccesses()).catch(this.onError);
    return this.flushing;
  }

  private async writeAccesses(): Promise<void> {
    if (this.accessed.size === 0) return;
    const noted = this.accessed;
    this.accessed = new Map();
    const byTime = new Map<string, number[]>();
    for (const [id, at] of noted) {
      const ids = byTime.get(at);
      if (ids) ids.push(id);
      else byTime.set(at, [id]);
    }
    try {
      for (const [at, ids] of byTime) {
        for (let i = 0; i < ids.length; i += TOUCH_BATCH) {
          await nextTurn();
          await touchAuthorizations(this.db, ids.slice(i, i + TOUCH_BATCH), at);
        }
      }
    } catch (error) {
      // Kept for the next flush, unless a later use was noted meanwhile.
      for (const [id, at] of noted) if (!this.accessed.has(id)) this.accessed.set(id, at);
      throw error;
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
