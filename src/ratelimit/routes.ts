import type { Operation } from '../http/operation.js';

/** Paths whose requests do not count against the primary rate limit, as GitHub documents for GET /rate_limit. */
export const UNCOUNTED_PATHS = new Set(['/rate_limit']);

/** `rate-limit/get`: GET /rate_limit, which does not count against the limit. */
const getRateLimit: Operation = {
  operationId: 'rate-limit/get',
  method: 'GET',
  path: '/rate_limit',
  async handler(request) {
    const { rateLimiter, config } = request.server.ctx;
    const limit = request.caller ? config.rateLimit.authenticated : config.rateLimit.anonymous;
    const { limit: max, remaining, reset, used, resource } = await rateLimiter.peek(request.rateSubject, limit);
    const window = { limit: max, remaining, reset, used, resource };
    return { resources: { [resource]: window }, rate: window };
  },
};

export const rateLimitOperations: Operation[] = [getRateLimit];
