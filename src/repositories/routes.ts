import { orgOf, type Operation } from '../http/operation.js';
import { readPage, setPageLinks } from '../http/pagination.js';
import { visibleRepository } from './access.js';
import { fullRepository, minimalRepository } from './present.js';
import { createRepository, listOrgRepositories, type RepositoryRequest } from './service.js';
import type { RepositoryListQuery } from './store.js';

/** Public repositories need no scope; private ones `repo` (src/repositories/access.ts). */
const READ = ['repo'];

/** `repos/create-in-org`: POST /orgs/{org}/repos; 201 `full-repository`. */
const createInOrg: Operation = {
  operationId: 'repos/create-in-org',
  authenticated: true,
  acceptedScopes: ['public_repo', 'repo'],
  enforceScopes: true,
  permissions: { administration: 'write' },
  resource: 'Repository',
  async handler(request, reply) {
    const access = orgOf(request);
    const repo = await createRepository(request.server.ctx, access, request.body as RepositoryRequest);
    reply.code(201);
    return fullRepository(request.urls, access.org, repo, 'admin');
  },
};

/** `repos/list-for-org`: GET /orgs/{org}/repos (`type`, `sort`, `direction`, pages with `Link`). */
const listForOrg: Operation = {
  operationId: 'repos/list-for-org',
  acceptedScopes: READ,
  permissions: { metadata: 'read' },
  async handler(request, reply) {
    const access = orgOf(request);
    const query = request.query as { type?: string; sort?: RepositoryListQuery['sort']; direction?: 'asc' | 'desc' };
    const page = readPage(request.query as Record<string, unknown>);
    const { rows, total } = await listOrgRepositories(request.server.ctx, access, {
      type: query.type ?? 'all',
      sort: query.sort ?? 'created',
      direction: query.direction,
      offset: page.offset,
      limit: page.perPage,
    });
    setPageLinks(request, reply, page, total);
    return rows.map(({ repo, permission }) => minimalRepository(request.urls, access.org, repo, permission));
  },
};

/** `repos/get`: GET /repos/{owner}/{repo}; 404 for a repository the caller may not see. */
const get: Operation = {
  operationId: 'repos/get',
  acceptedScopes: READ,
  permissions: { metadata: 'read' },
  async handler(request) {
    const access = orgOf(request);
    const { repo, permission } = await visibleRepository(request.server.ctx.db, access, (request.params as { repo: string }).repo);
    return fullRepository(request.urls, access.org, repo, access.caller ? permission : undefined);
  },
};

export const repositoryOperations: Operation[] = [createInOrg, listForOrg, get];
