import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import type { components } from '../generated/openapi.js';
import type { AccountWithMembership } from '../memberships/store.js';
import { loadOrgAccess, loadOrgAccessCached, isOwner, managesSecurity, seenBy, type OrgAccess } from '../orgs/access.js';
import type { Caller, GrantedPermissions } from './auth/caller.js';
import { acceptedPermissionsHeader, coversPermissions, notAccessibleBy } from './auth/permissions.js';
import { ApiError, forbidden, notFound, nulCharacter, requiresAuthentication } from './errors.js';
import { withBoundedArrays } from './json-body.js';
import { describeOperation } from './openapi.js';
import { mayWrite } from './read-cache.js';
import { hasAnyScope } from './scopes.js';

/** A GitHub App (and fine-grained token) permission, by the name GitHub's `app-permissions` gives it. */
// `organization_campaigns` ("Campaigns" in the docs' fine-grained boxes) is GitHub's, but @octokit/openapi 23.0.2's `app-permissions` lacks it.
export type AppPermission = keyof components['schemas']['app-permissions'] | 'organization_campaigns';
export type PermissionLevel = 'read' | 'write';
/** What an installation or fine-grained token must hold for an operation: every entry (`{ members: 'write' }`). */
export type RequiredPermissions = Partial<Record<AppPermission, PermissionLevel>>;

type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

/** One REST operation: its GitHub `operationId` and the rules checked before its handler runs. */
export interface Operation {
  /** GitHub's operationId (`orgs/list-members`); method, path and schemas come from the description. */
  operationId: string;
  /** For operations GitHub serves that the shared description leaves out. */
  method?: HTTPMethods;
  path?: string;
  body?: object;
  querystring?: object;
  /** 401 without a token. */
  authenticated?: boolean;
  /** Classic scopes that let a token call this operation (sent as `X-Accepted-OAuth-Scopes`). */
  acceptedScopes?: string[];
  /** Refuse tokens with none of `acceptedScopes` (otherwise the scopes only widen what is shown). */
  enforceScopes?: boolean;
  /**
   * The permissions GitHub requires of installation and fine-grained tokens for this operation (the "Fine-grained
   * access" box of its docs page); `{}` when it needs none. Absent: such tokens may not call it (GitHub's
   * `enabledForGitHubApps: false`). Classic tokens are judged by `acceptedScopes` instead.
   * Installation tokens are also refused where the description says `enabledForGitHubApps: false` (`GET /user`).
   */
  permissions?: RequiredPermissions;
  /**
   * App JWTs ("You must use a JWT to access this endpoint"): `only` refuses every other caller with GitHub's 401,
   * `also` accepts them besides other tokens. Absent: app JWTs are refused (403, as for a missing permission).
   */
  appJwt?: 'only' | 'also';
  /**
   * Who may act on `{org}`: `owner` answers 404 to anyone else, as GitHub hides what one may not see; `security`:
   * owners and security managers (src/orgs/access.ts `managesSecurity`, a query only for non-owners of such operations).
   */
  orgRole?: 'any' | 'owner' | 'security';
  /** `documentation_url` of its errors, for operations outside the description (GitHub's GraphQL endpoint). */
  docsUrl?: string;
  /** Name used as `resource` in 422 errors. */
  resource?: string;
  /**
   * A GET whose answer depends only on the org row, the caller's membership and org counters may resolve `{org}`
   * through the per-process read cache (src/http/read-cache.ts: at most `readCacheMs` stale across processes).
   */
  readCache?: boolean;
  /**
   * The handler reads the account the path's `{username}` names (and, on org routes, its membership in `{org}`): it is
   * read in the statement that reads the token or the org, and the handler takes it with `namedUser(request, read)`.
   */
  readsNamedUser?: boolean;
  /** The handler shows the org's counters (seats, outside collaborators; `countsOf`): they are read with the org. */
  readsOrgCounts?: boolean;
  /** Largest request body in bytes, when the operation takes more than the server's `bodyLimit` (SARIF uploads). */
  bodyLimit?: number;
  /** Not part of GitHub's API (`GET /_orghub/health`): answered without authentication, rate limits or API versions, and not counted. */
  outsideApi?: boolean;
  handler: Handler;
}

/** The caller's view of `{org}`, resolved before the operation's body is validated. */
export function orgOf(request: FastifyRequest): OrgAccess {
  return request.orgAccess!;
}

/**
 * The account `{username}` names, with its membership in `{org}` on org routes (Operation.readsNamedUser): as read with
 * the token or the org, else (a cached token on a route without `{org}`, a path holding NUL) by `read`.
 */
export async function namedUser(request: FastifyRequest, read: () => Promise<AccountWithMembership | undefined>): Promise<AccountWithMembership | undefined> {
  const named = request.namedUser;
  return named === undefined ? read() : (named ?? undefined);
}

export function registerOperation(app: FastifyInstance, op: Operation): void {
  const described = describeOperation(op.operationId);
  const method = op.method ?? described?.method;
  const path = op.path ?? described?.path;
  if (!method || !path) throw new Error(`Operation ${op.operationId} is not in the description and has no method/path`);
  const response: Record<string, object> = {};
  for (const [status, schema] of Object.entries(described?.responses ?? {})) {
    if (status.startsWith('2')) response[status] = schema;
  }
  // `{owner}` of `/repos/{owner}/{repo}` is resolved like `{org}`: repositories here belong to organizations only.
  const orgParam = path.includes('{org}') ? 'org' : path.includes('{owner}') ? 'owner' : undefined;
  const hasOrg = orgParam !== undefined;
  const userParam = op.readsNamedUser && path.includes('{username}') ? 'username' : undefined;
  // The read cache keeps the org with its counters (loadOrgAccessCached).
  if (op.readCache && !op.readsOrgCounts) throw new Error(`${op.operationId}: an operation read through the read cache must declare readsOrgCounts`);
  // The site-admin API acts on an org from outside it: SAML SSO enforcement guards the org's own resources.
  const samlGuarded = hasOrg && !path.startsWith('/admin/');
  const accepted = op.acceptedScopes ?? [];
  const acceptedHeader = accepted.join(', ');
  const removedFields = described?.removedBodyFields ?? {};
  const required = op.permissions;
  const requiredHeader = required && acceptedPermissionsHeader(required);
  const forInstallations = described?.enabledForGitHubApps ?? true;
  /** Throws unless a token with `granted` (here) may call this operation. */
  const admitPermissions = (caller: Caller, granted: GrantedPermissions): void => {
    if (!required || (caller.kind === 'installation' && !forInstallations) || !coversPermissions(granted, required)) {
      throw notAccessibleBy(caller);
    }
  };
  // Every array of every body is bounded here, so no operation, present or future, lets one grow a statement.
  const bodySchema = withBoundedArrays(op.body ?? described?.body) as { type?: string } | undefined;
  // A request without a body sends no fields: `{}`, so optional bodies pass and required fields are reported as missing.
  const objectBody = bodySchema?.type === 'object';

  app.route({
    method,
    url: path.replace(/\{([a-z_]+)\}/g, ':$1'),
    ...(op.bodyLimit !== undefined && { bodyLimit: op.bodyLimit }),
    schema: withoutUndefined({
      querystring: op.querystring ?? described?.querystring,
      body: bodySchema,
      response,
    }),
    config: { docsUrl: op.docsUrl ?? described?.docsUrl, resource: op.resource, outsideApi: op.outsideApi, orgParam, userParam, orgCounts: op.readsOrgCounts },
    // Before schema validation: who may call (401/403/404) is answered before what the body says (422), as GitHub does.
    // Callback style with a synchronous path: on the hot GETs everything here is known without waiting.
    preValidation: (request, reply, done) => {
      try {
        if (request.body === undefined && objectBody) request.body = {};
        const removed = removedFields[request.apiVersion];
        if (removed && request.body && typeof request.body === 'object') {
          for (const field of removed) delete (request.body as Record<string, unknown>)[field];
        }
        reply.header('X-Accepted-OAuth-Scopes', acceptedHeader);
        const caller = request.caller;
        const viaAppJwt = caller?.kind === 'app';
        if (op.appJwt === 'only' && !viaAppJwt) throw jwtRequired();
        if (op.authenticated && !caller) throw requiresAuthentication();
        if (viaAppJwt) {
          if (!op.appJwt) throw notAccessibleBy(caller);
        } else if (caller?.permissions) {
          // Tokens with permissions are judged by them alone, on `{org}` by what they hold there (OrgAccess.permissions).
          if (requiredHeader !== undefined) reply.header('X-Accepted-GitHub-Permissions', requiredHeader);
          if (!hasOrg) admitPermissions(caller, caller.permissions);
        } else if (op.enforceScopes && caller && !hasAnyScope(caller.effective, accepted)) {
          throw forbidden(`This API operation needs one of these scopes: ${accepted.join(', ')}.`);
        }
        // No login, slug or id holds a NUL (PostgreSQL text cannot even be compared with one): such a path names nothing.
        if (Object.values(request.params as Record<string, string>).some((value) => value.includes('\u0000'))) throw notFound();
        if (orgParam === undefined) return done();
        const params = request.params as Record<string, string>;
        const login = params[orgParam];
        // Read with the token when this process did not know it (one statement for both); else read now.
        const access = request.orgRead !== undefined
          ? seenBy(request.orgRead, caller)
          : op.readCache && !mayWrite(request.method)
            ? loadOrgAccessCached(app.ctx.readCache, app.ctx.db, login, caller)
            : loadOrgAccess(app.ctx.db, login, caller, { named: userParam && params[userParam], counts: op.readsOrgCounts });
        const admit = (found: OrgAccess | undefined): void | Promise<void> => {
          if (!found) throw notFound();
          request.namedUser = found.namedUser;
          // Before the role check: a token without the permission hears so (403), even from an org it may not act on.
          if (found.permissions && !viaAppJwt) admitPermissions(caller!, found.permissions);
          if (op.orgRole === 'owner' && !isOwner(found)) throw notFound();
          request.orgAccess = found;
          const admitSaml = () => (samlGuarded ? app.ctx.saml.admit(found) : undefined);
          if (op.orgRole !== 'security' || isOwner(found)) return admitSaml();
          return managesSecurity(app.ctx.db, found).then((manages) => {
            if (!manages) throw notFound();
            return admitSaml();
          });
        };
        const admitted = access instanceof Promise ? access.then(admit) : admit(access);
        if (!(admitted instanceof Promise)) return done();
        admitted.then(() => done(), done);
      } catch (error) {
        done(error as Error);
      }
    },
    // After schema validation, so who may call and the value types are answered first.
    ...(bodySchema && {
      preHandler: (request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void) => {
        const at = nulAt(request.body);
        done(at ? nulCharacter(request, at) : undefined);
      },
    }),
    handler: op.handler,
  });
}

/** GitHub's 401 when an operation that takes only app JWTs gets anything else. */
const jwtRequired = () => new ApiError(401, 'A JSON web token could not be decoded');

/**
 * The field path (`['maintainers', '0']`) of the first string in `value` holding a NUL character, if any.
 * Recursive: the body parser refuses anything nested deeper than MAX_JSON_NESTING.
 */
function nulAt(value: unknown, path: string[] = []): string[] | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (!value || typeof value !== 'object') return undefined;
  for (const [key, item] of Object.entries(value)) {
    const found = nulAt(item, [...path, key]);
    if (found) return found;
  }
  return undefined;
}

function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
