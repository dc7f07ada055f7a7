import { findAccountsByIds, type Account } from '../accounts/store.js';
import type { AppContext } from '../context.js';
import type { Caller } from '../http/auth/index.js';
import type { Urls } from '../http/urls.js';
import { activeRoles, type MembershipRole } from '../memberships/store.js';
import { loadOrgAccess, type OrgAccess } from '../orgs/access.js';
import type { OrgSummary } from '../orgs/present.js';
import type { RateLimit } from '@octokit/graphql-schema';
import { ApiError } from '../http/errors.js';
import { githubError } from './errors.js';
import { BatchLoader } from './loader.js';

/** What the resolvers of one query share: who asks, the server, and what this query has read so far. */
export interface GraphqlContext {
  app: AppContext;
  caller: Caller;
  urls: Urls;
  /** The caller's `graphql` window with this query's cost charged. */
  rateLimit: RateLimit;
  /** Users and organizations by id (one accounts table), in batches. */
  accounts: BatchLoader<number, Account>;
  /** The org with the caller's membership in it, once per org. */
  orgAccess(org: OrgSummary): Promise<OrgAccess | undefined>;
  /** Records an org a root field has read with the caller's membership, so the fields under it do not read it again. */
  knowOrg(access: OrgAccess): void;
  /** Active members' roles in one org, in batches. */
  roles(orgId: number): BatchLoader<number, MembershipRole>;
}

export function graphqlContext(app: AppContext, caller: Caller, urls: Urls, rateLimit: RateLimit): GraphqlContext {
  const accesses = new Map<number, Promise<OrgAccess | undefined>>();
  const roles = new Map<number, BatchLoader<number, MembershipRole>>();
  const accounts = new BatchLoader<number, Account>(async (ids) => new Map((await findAccountsByIds(app.db, ids)).map((a) => [a.id, a])));
  return {
    app,
    caller,
    urls,
    rateLimit,
    accounts,
    orgAccess(org) {
      let access = accesses.get(org.id);
      if (!access) accesses.set(org.id, (access = loadOrgAccess(app.db, org.login, caller).then((found) => found && admitted(app, found))));
      return access;
    },
    knowOrg(access) {
      accounts.prime(access.org.id, access.org);
      if (!accesses.has(access.org.id)) accesses.set(access.org.id, Promise.resolve(access));
    },
    roles(orgId) {
      let loader = roles.get(orgId);
      if (!loader) roles.set(orgId, (loader = new BatchLoader((ids) => activeRoles(app.db, orgId, ids))));
      return loader;
    },
  };
}

/**
 * The caller's view of an org once SAML SSO enforcement let it through (as REST's does, src/http/operation.ts); a
 * refused token gets GitHub's `FORBIDDEN` error with REST's message for that field.
 */
export async function admitted(app: AppContext, access: OrgAccess): Promise<OrgAccess> {
  try {
    await app.saml.admit(access);
  } catch (error) {
    if (error instanceof ApiError && error.status === 403) throw githubError('FORBIDDEN', error.message);
    throw error;
  }
  return access;
}
