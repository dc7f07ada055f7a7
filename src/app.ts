import AjvModule from 'ajv';
import formatsModule from 'ajv-formats';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Config } from './config.js';
import type { AppContext } from './context.js';
import { serializersCompiledOnFirstUse, validatorsCompiledOnFirstUse } from './http/compile-on-first-use.js';
import { conditionalGet, httpDate } from './http/conditional.js';
import { connectionTimeouts, limitConnections } from './http/connections.js';
import { ApiError, handleError, handleFrameworkError, notFound } from './http/errors.js';
import { readBodiesAsJson } from './http/json-body.js';
import type { PathNames } from './http/auth/kind.js';
import { registerOperation, type Operation } from './http/operation.js';
import { mayWrite } from './http/read-cache.js';
import { requestId } from './http/request-id.js';
import type { ServedCertificate } from './http/tls.js';
import { mediaTypeFor, readApiVersion } from './http/versions.js';
import './http/types.js';
import { adminOperations } from './admin/routes.js';
import { appOperations } from './apps/routes.js';
import { auditLogOperations } from './audit/routes.js';
import { credentialAuthorizationOperations } from './credential-authorizations/routes.js';
import { orgOperations } from './orgs/routes.js';
import { healthOperations } from './health/routes.js';
import { hookOperations } from './hooks/routes.js';
import { peopleOperations } from './members/operations.js';
import { invitationModelOperations } from './invitations/operations.js';
import { GRAPHQL_PATHS, graphqlOperations } from './graphql/routes.js';
import { metaOperations } from './meta/routes.js';
import { organizationRoleOperations } from './organization-roles/routes.js';
import { campaignOperations } from './campaigns/routes.js';
import { repositoryOperations } from './repositories/routes.js';
import { codeScanningOperations } from './code-scanning/routes.js';
import { setRateLimitHeaders, userSubject, type Verdict } from './ratelimit/limiter.js';
import { rateLimitOperations, UNCOUNTED_PATHS } from './ratelimit/routes.js';
import { userOperations } from './users/routes.js';

const GHES_PREFIX = '/api/v3';

/** Every operation the server answers, each in its resource's folder. */
export const operations: Operation[] = [
  ...adminOperations,
  ...appOperations,
  ...userOperations,
  ...orgOperations,
  ...peopleOperations,
  ...invitationModelOperations,
  ...hookOperations,
  ...auditLogOperations,
  ...credentialAuthorizationOperations,
  ...rateLimitOperations,
  ...healthOperations,
  ...metaOperations,
  ...organizationRoleOperations,
  ...campaignOperations,
  ...repositoryOperations,
  ...codeScanningOperations,
  ...graphqlOperations,
];

/** Request bodies are validated strictly (no type coercion); query strings and paths are coerced from text. */
// ajv and ajv-formats are CommonJS packages whose default export sits one level down under NodeNext.
const Ajv = AjvModule.default;
const addFormats = formatsModule.default;

function validatorCompilers() {
  const body = new Ajv({ strict: false, allErrors: false, coerceTypes: false, useDefaults: false });
  addFormats(body);
  const text = new Ajv({ strict: false, coerceTypes: 'array', useDefaults: true, removeAdditional: false });
  addFormats(text);
  return ({ schema, httpPart }: { schema: object; httpPart?: string }) =>
    (httpPart === 'body' ? body : text).compile(schema) as (data: unknown) => boolean;
}

/** `tls`: serve HTTPS with this certificate and key (plain HTTP without). */
export function createApp(ctx: AppContext, config: Config, tls?: Pick<ServedCertificate, 'cert' | 'key'>): FastifyInstance {
  const timeouts = connectionTimeouts(config);
  const app = Fastify({
    logger: config.logger,
    bodyLimit: config.bodyLimit,
    trustProxy: false,
    routerOptions: { caseSensitive: true, ignoreTrailingSlash: true },
    genReqId: requestId,
    ...timeouts,
    // Fastify hands Node's https server these options instead of `http`: the same timeouts apply over TLS.
    https: tls ? { ...timeouts.http, cert: tls.cert, key: tls.key } : null,
    frameworkErrors: handleFrameworkError,
    // GHES serves the API under /api/v3; both that prefix and the bare paths reach the same routes.
    rewriteUrl: (raw) => {
      const url = raw.url ?? '/';
      const prefixed = url === GHES_PREFIX || url.startsWith(GHES_PREFIX + '/') || url.startsWith(GHES_PREFIX + '?');
      const path = prefixed ? url.slice(GHES_PREFIX.length) || '/' : url;
      const query = path.indexOf('?');
      const bare = query === -1 ? path : path.slice(0, query);
      Object.assign(raw, {
        apiPrefix: prefixed ? GHES_PREFIX : '',
        uncounted: UNCOUNTED_PATHS.has(bare),
        graphql: GRAPHQL_PATHS.has(bare),
      } satisfies RawRequest);
      return path;
    },
  });
  app.decorate('ctx', ctx);
  // A configured base URL is the base of every URL; without one, answers follow the prefix the request used, as GHES's do.
  app.decorateRequest('urls', {
    getter(this: FastifyRequest) {
      return config.baseUrl ? ctx.urls : ctx.urls.forPrefix(this.apiPrefix);
    },
  });
  app.decorateRequest('caller', null);
  app.decorateRequest('orgAccess', undefined);
  app.decorateRequest('orgRead', undefined);
  app.decorateRequest('namedUser', undefined);
  app.decorateRequest('storedWindow', undefined);
  app.decorateRequest('apiPrefix', '');
  app.decorateRequest('apiVersion', '2022-11-28');
  app.decorateRequest('rateSubject', '');
  app.decorateRequest('notModified', false);
  app.setValidatorCompiler(validatorsCompiledOnFirstUse(validatorCompilers()));
  app.setSerializerCompiler(serializersCompiledOnFirstUse());
  readBodiesAsJson(app);
  app.setErrorHandler(handleError);
  app.setNotFoundHandler(() => {
    throw notFound();
  });

  app.addHook('onRequest', async (request, reply) => {
    if (mayWrite(request.method)) ctx.readCache.invalidate();
    const raw = request.raw as RawRequest;
    request.apiPrefix = raw.apiPrefix ?? '';
    reply.header('X-GitHub-Request-Id', request.id);
    // The server's time is the one clock's: app JWT clients (@octokit/auth-app) correct their clock drift by this header.
    reply.header('Date', httpDate(ctx.clock.now().getTime()));
    reply.header('X-GitHub-Media-Type', mediaTypeFor(request.headers.accept));
    reply.header('Vary', 'Accept, Authorization, Cookie, X-GitHub-OTP');
    if (request.routeOptions.config.outsideApi) return;
    // A rejected token still gets X-RateLimit-* headers: the request counts against the caller's IP address.
    // Token and rate-limit state are usually known in this process, so neither step awaits in the steady state.
    let rejected: unknown;
    try {
      const authenticated = ctx.auth.authenticate(request.headers.authorization, pathNamesOf(request));
      if (authenticated instanceof Promise) {
        const resolved = await authenticated;
        request.caller = resolved.caller;
        request.orgRead = resolved.orgRead;
        request.namedUser = resolved.namedUser;
        request.storedWindow = resolved.storedWindow;
      } else {
        request.caller = authenticated;
      }
    } catch (error) {
      rejected = error;
    }
    if (request.caller?.scopesHeader !== undefined) reply.header('X-OAuth-Scopes', request.caller.scopesHeader);
    const verdict = countRequest(ctx, request, raw);
    applyVerdict(request, reply, verdict instanceof Promise ? await verdict : verdict);
    if (rejected) throw rejected;
    request.apiVersion = readApiVersion(request.headers['x-github-api-version']);
    reply.header('X-GitHub-Api-Version-Selected', request.apiVersion);
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    // The write is done (committed or failed): what was read while it ran may be stale.
    if (mayWrite(request.method)) ctx.readCache.invalidate();
    // Whatever the request recorded is committed now: send it (a GET may record too, e.g. invitations expiring).
    ctx.deliveries.requestAnswered();
    const sent = conditionalGet(request, reply, payload);
    if (request.notModified && (request.raw as RawRequest).uncounted !== true) {
      ctx.rateLimiter.refund(request.rateSubject);
      // The 304 is not counted, so its headers show the window without it.
      reply.header('X-RateLimit-Used', Number(reply.getHeader('X-RateLimit-Used')) - 1);
      reply.header('X-RateLimit-Remaining', Number(reply.getHeader('X-RateLimit-Remaining')) + 1);
    }
    done(null, sent);
  });

  limitConnections(app, config);
  for (const op of operations) registerOperation(app, op);
  return app;
}

const NO_NAMES: PathNames = {};

/**
 * The org the request's path names, if its operation acts on one, and the user, if its operation reads that account
 * (a path holding NUL names nothing: src/http/operation.ts).
 */
function pathNamesOf(request: FastifyRequest): PathNames {
  const { orgParam, userParam, orgCounts } = request.routeOptions.config;
  if (orgParam === undefined && userParam === undefined) return NO_NAMES;
  const params = request.params as Record<string, string>;
  const named = (param: string | undefined) => (param === undefined || params[param].includes('\u0000') ? undefined : params[param]);
  const org = named(orgParam);
  // On org routes the user is read with the org, so a path whose org holds NUL reads neither.
  return { org, orgCounts, username: orgParam !== undefined && org === undefined ? undefined : named(userParam) };
}

/** What rewriteUrl learns from the raw URL before routing. */
interface RawRequest {
  apiPrefix?: string;
  uncounted?: boolean;
  graphql?: boolean;
}

function countRequest(ctx: AppContext, request: FastifyRequest, raw: RawRequest): Verdict | Promise<Verdict> {
  const caller = request.caller;
  request.rateSubject = caller ? userSubject(caller.userId) : `ip:${request.ip}`;
  // A GraphQL query is charged its cost against the `graphql` resource once it is read (src/graphql/engine.ts): shown here.
  if (raw.graphql && caller) return ctx.graphqlRateLimiter.peek(request.rateSubject, ctx.config.rateLimit.authenticated);
  const limit = caller ? ctx.config.rateLimit.authenticated : ctx.config.rateLimit.anonymous;
  const stored = request.storedWindow;
  return raw.uncounted ? ctx.rateLimiter.peek(request.rateSubject, limit, stored) : ctx.rateLimiter.consume(request.rateSubject, limit, 1, stored);
}

function applyVerdict(request: FastifyRequest, reply: FastifyReply, verdict: Verdict): void {
  setRateLimitHeaders(reply, verdict);
  if (verdict.exceeded) {
    throw new ApiError(
      403,
      request.caller
        ? `API rate limit exceeded for user ID ${request.caller.userId}.`
        : `API rate limit exceeded for ${request.ip}. (But here's the good news: Authenticated requests get a higher rate limit. Check out the documentation for more details.)`,
      { documentationUrl: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api' },
    );
  }
}
