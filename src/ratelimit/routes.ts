import type { Operation } from '../http/operation.js';

/** `rate-limit/get`: GET /rate_limit, which does not count against the limit. */
const getRateLimit: Operation = {
  operationId: 'rate-limit/get',
  method: 'GET',
  path: '/rate_limit',
  free: true,
  async handler(request) {
    const { rateLimiter, config } = request.server.ctx;
    const limit = request.caller ? config.rateLimit.authenticated : config.rateLimit.anonymous;
    const { resource, ...core } = await rateLimiter.peek(request.rateSubject, limit);
    return { resources: { [resource]: { ...core, resource } }, rate: { ...core, resource } };
  },
};

export const rateLimitOperations: Operation[] = [getRateLimit];
