import type { Caller } from './auth/index.js';
import type { ApiVersion } from './versions.js';
import type { NamedUser, OrgAccess, OrgRead } from '../orgs/access.js';
import type { StoredWindow } from '../ratelimit/limiter.js';
import type { AppContext } from '../context.js';
import type { Urls } from './urls.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated user, or null for an anonymous request. */
    caller: Caller | null;
    /** The `{org}` of the path with the caller's membership, resolved before the handler runs. */
    orgAccess: OrgAccess | undefined;
    /** The `{org}` of the path as the caller's user sees it, when it was read with the caller's token (src/http/auth/kind.ts). */
    orgRead: OrgRead | undefined;
    /**
     * The account the path's `{username}` names (with its membership in `{org}`), when read with the token or the org
     * for an operation that reads it (Operation.readsNamedUser); null: no such account; undefined: not read.
     */
    namedUser: NamedUser | undefined;
    /** The caller's rate-limit window, when read with the token this request brought (StoredWindow); else undefined. */
    storedWindow: StoredWindow | undefined;
    /** `/api/v3` when the request came in under the GHES prefix, else ''. */
    apiPrefix: string;
    /** The URLs this request's answer is built with (src/http/urls.ts). */
    readonly urls: Urls;
    apiVersion: ApiVersion;
    rateSubject: string;
    notModified: boolean;
  }
  interface FastifyInstance {
    ctx: AppContext;
  }
  interface FastifyContextConfig {
    docsUrl?: string;
    resource?: string;
    outsideApi?: boolean;
    /** The path parameter naming the org the operation acts on (`org`, or `owner` of `/repos/{owner}/{repo}`). */
    orgParam?: string;
    /** The path parameter naming the user an operation reads with the token or the org (Operation.readsNamedUser). */
    userParam?: string;
    /** Whether the operation shows the org's counters, read with the org (Operation.readsOrgCounts). */
    orgCounts?: boolean;
  }
}
