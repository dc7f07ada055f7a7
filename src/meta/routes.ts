import type { Operation } from '../http/operation.js';
import { apiRoot, serverMeta } from './present.js';
import { randomZen } from './zen.js';

const JSON_TYPE = 'application/json; charset=utf-8';

// No token needed for any of these, as on GitHub; each request counts against the caller's rate limit as usual.

/**
 * `meta/root`: GET / (and GET /api/v3/, where GHES clients such as `gh` read the token's `X-OAuth-Scopes`).
 * Sent as built: under API version 2026-03-10 it lacks fields the described schema requires.
 */
const getRoot: Operation = {
  operationId: 'meta/root',
  permissions: {},
  async handler(request, reply) {
    return reply.type(JSON_TYPE).serializer(JSON.stringify).send(apiRoot(request.urls, request.apiVersion));
  },
};

/** `meta/get`: GET /meta, GHES's fields; sent as built, since the described (api.github.com) schema lacks `installed_version`. */
const getMeta: Operation = {
  operationId: 'meta/get',
  permissions: {},
  async handler(_request, reply) {
    return reply.type(JSON_TYPE).serializer(JSON.stringify).send(serverMeta());
  },
};

/** `meta/get-zen`: GET /zen, one saying as text/plain. */
const getZen: Operation = {
  operationId: 'meta/get-zen',
  permissions: {},
  async handler(_request, reply) {
    return reply.type('text/plain; charset=utf-8').send(randomZen());
  },
};

export const metaOperations: Operation[] = [getRoot, getMeta, getZen];
