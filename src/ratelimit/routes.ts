import type { components } from '../generated/openapi.js';
import type { Operation } from '../http/operation.js';

/** Paths whose requests do not count against the primary rate limit, as GitHub documents for GET /rate_limit. */
export const UNCOUNTED_PATHS = new Set(['/rate_limit']);

/**
 * GitHub's other rate-limit resources with their documented limits (authenticated, anonymous) and window lengths.
 * orghub serves none of the operations they govern, so nothing is ever counted against them: each shows its whole
 * allowance in a window starting now, which is what GitHub shows for a resource one has not used.
 */
const UNUSED_RESOURCES: Record<string, { limit: number; anonymous: number; windowSeconds: number }> = {
  search: { limit: 30, anonymous: 10, windowSeconds: 60 },
  code_search: { limit: 10, anonymous: 0, windowSeconds: 60 },
  integration_manifest: { limit: 5000, anonymous: 5000, windowSeconds: 3600 },
  source_import: { limit: 100, anonymous: 0, windowSeconds: 60 },
  code_scanning_upload: { limit: 1000, anonymous: 0, windowSeconds: 3600 },
  code_scanning_autofix: { limit: 10, anonymous: 0, windowSeconds: 3600 },
  actions_runner_registration: { limit: 10000, anonymous: 0, windowSeconds: 3600 },
  scim: { limit: 15000, anonymous: 0, windowSeconds: 3600 },
  dependency_snapshots: { limit: 100, anonymous: 0, windowSeconds: 60 },
  dependency_sbom: { limit: 100, anonymous: 0, windowSeconds: 3600 },
  copilot_usage_records: { limit: 100, anonymous: 0, windowSeconds: 3600 },
};

type Window = components['schemas']['rate-limit'];

/** `rate-limit/get`: GET /rate_limit, which does not count against the limit. */
const getRateLimit: Operation = {
  operationId: 'rate-limit/get',
  permissions: {},
  method: 'GET',
  path: '/rate_limit',
  async handler(request) {
    const { rateLimiter, graphqlRateLimiter, config, clock } = request.server.ctx;
    const limit = request.caller ? config.rateLimit.authenticated : config.rateLimit.anonymous;
    const window = async (limiter: typeof rateLimiter, max: number): Promise<Window> => {
      const { limit, remaining, reset, used } = await limiter.peek(request.rateSubject, max);
      return { limit, remaining, reset, used };
    };
    const core = await window(rateLimiter, limit);
    const now = Math.floor(clock.now().getTime() / 1000);
    // GraphQL needs a token (no allowance without one); with one, its points per hour are the core limit's number.
    const graphql = request.caller ? await window(graphqlRateLimiter, limit) : { limit: 0, remaining: 0, reset: now + config.rateLimit.windowSeconds, used: 0 };
    const resources: Record<string, Window> = { core, graphql };
    for (const [name, unused] of Object.entries(UNUSED_RESOURCES)) {
      const allowance = request.caller ? unused.limit : unused.anonymous;
      resources[name] = { limit: allowance, remaining: allowance, reset: now + unused.windowSeconds, used: 0 };
    }
    // `rate` is the deprecated copy of `core`, kept under API version 2026-03-10 too: older clients read it, newer ones ignore it.
    return { resources, rate: core };
  },
};

export const rateLimitOperations: Operation[] = [getRateLimit];
