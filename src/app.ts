import AjvModule from 'ajv';
import formatsModule from 'ajv-formats';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Config } from './config.js';
import type { AppContext } from './context.js';
import { conditionalGet } from './http/conditional.js';
import { connectionTimeouts, limitConnections } from './http/connections.js';
import { ApiError, handleError, handleFrameworkError, notFound } from './http/errors.js';
import { readBodiesAsJson } from './http/json-body.js';
import { registerOperation, type Operation } from './http/operation.js';
import { mayWrite } from './http/read-cache.js';
import { requestId } from './http/request-id.js';
import { mediaTypeFor, readApiVersion } from './http/versions.js';
import './http/types.js';
import { adminOperations } from './admin/routes.js';
import { orgOperations } from './orgs/routes.js';
import { hookOperations } from './hooks/routes.js';
import { peopleOperations } from './members/operations.js';
import { invitationModelOperations } from './invitations/operations.js';
import type { Verdict } from './ratelimit/limiter.js';
import { rateLimitOperations, UNCOUNTED_PATHS } from './ratelimit/routes.js';
import { userOperations } from './users/routes.js';

const GHES_PREFIX = '/api/v3';

/** Every operation the server answers, each in its resource's folder. */
export const operations: Operation[] = [
  ...adminOperations,
  ...userOperations,
  ...orgOperations,
  ...peopleOperations,
  ...invitationModelOperations,
  ...hookOperations,
  ...rateLimitOperations,
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

export function createApp(ctx: AppContext, config: Config): FastifyInstance {
  const app = Fastify({
    logger: config.logger,
    bodyLimit: config.bodyLimit,
    trustProxy: false,
    routerOptions: { caseSensitive: true, ignoreTrailingSlash: true },
    genReqId: requestId,
    ...connectionTimeouts(config),
    frameworkErrors: handleFrameworkError,
    // GHES serves the API under /api/v3; both that prefix and the bare paths reach the same routes.
    rewriteUrl: (raw) => {
      const url = raw.url ?? '/';
      const prefixed = url === GHES_PREFIX || url.startsWith(GHES_PREFIX + '/') || url.startsWith(GHES_PREFIX + '?');
      const path = prefixed ? url.slice(GHES_PREFIX.length) || '/' : url;
      const query = path.indexOf('?');
      Object.assign(raw, {
        apiPrefix: prefixed ? GHES_PREFIX : '',
        uncounted: UNCOUNTED_PATHS.has(query === -1 ? path : path.slice(0, query)),
      } satisfies RawRequest);
      return path;
    },
  });
  app.decorate('ctx', ctx);
  app.decorate('urls', ctx.urls);
  app.decorateRequest('caller', null);
  app.decorateRequest('orgAccess', undefined);
  app.decorateRequest('apiPrefix', '');
  app.decorateRequest('apiVersion', '2022-11-28');
  app.decorateRequest('rateSubject', '');
  app.decorateRequest('notModified', false);
  app.setValidatorCompiler(validatorCompilers());
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
    reply.header('X-GitHub-Media-Type', mediaTypeFor(request.headers.accept));
    reply.header('Vary', 'Accept, Authorization, Cookie, X-GitHub-OTP');
    // A rejected token still gets X-RateLimit-* headers: the request counts against the caller's IP address.
    // Token and rate-limit state are usually known in this process, so neither step awaits in the steady state.
    let rejected: unknown;
    try {
      const caller = ctx.auth.authenticate(request.headers.authorization);
      request.caller = caller instanceof Promise ? await caller : caller;
    } catch (error) {
      rejected = error;
    }
    if (request.caller) reply.header('X-OAuth-Scopes', request.caller.scopesHeader);
    const verdict = countRequest(ctx, request, raw.uncounted === true);
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

/** What rewriteUrl learns from the raw URL before routing. */
interface RawRequest {
  apiPrefix?: string;
  uncounted?: boolean;
}

function countRequest(ctx: AppContext, request: FastifyRequest, uncounted: boolean): Verdict | Promise<Verdict> {
  const caller = request.caller;
  request.rateSubject = caller ? `user:${caller.userId}` : `ip:${request.ip}`;
  const limit = caller ? ctx.config.rateLimit.authenticated : ctx.config.rateLimit.anonymous;
  return uncounted ? ctx.rateLimiter.peek(request.rateSubject, limit) : ctx.rateLimiter.consume(request.rateSubject, limit);
}

function applyVerdict(request: FastifyRequest, reply: FastifyReply, verdict: Verdict): void {
  reply.header('X-RateLimit-Limit', verdict.limit);
  reply.header('X-RateLimit-Remaining', verdict.remaining);
  reply.header('X-RateLimit-Reset', verdict.reset);
  reply.header('X-RateLimit-Used', verdict.used);
  reply.header('X-RateLimit-Resource', verdict.resource);
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
