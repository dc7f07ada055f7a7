import type { FastifyReply, FastifyRequest } from 'fastify';
import { idFromPath } from '../db/columns.js';
import { ApiError, notFound } from '../http/errors.js';
import { describeOperation } from '../http/openapi.js';
import { orgOf, type Operation } from '../http/operation.js';
import { readPage, selfLink, setPageLinks } from '../http/pagination.js';
import { orgAlertItems, presentAlert, sarifStatus } from './present.js';
import {
  alertOf,
  changeAlert,
  listAlertsOfOrg,
  listAlertsOfRepository,
  peopleOf,
  SARIF_UPLOAD_BODY_LIMIT,
  sarifUpload,
  scannedRepository,
  uploadSarif,
  type AlertUpdate,
  type SarifUploadRequest,
} from './service.js';
import { accountIdsByLogin, type AlertCursor, type AlertFilters, type AlertStateFilter, type CodeScanningAlertRow, type SeverityFilter } from './store.js';

/** Classic scopes: `security_events` (or `repo`) for every repository, `public_repo` for public ones only. */
const SCOPES = ['security_events', 'repo', 'public_repo'];
const REPO = { authenticated: true, acceptedScopes: SCOPES, enforceScopes: true } satisfies Partial<Operation>;

const repoName = (request: FastifyRequest) => (request.params as { repo: string }).repo;

/** `{alert_number}`: a number that names no alert answers 404, as GitHub does. */
function alertNumber(request: FastifyRequest): number {
  const number = idFromPath((request.params as { alert_number: string }).alert_number);
  if (number === undefined) throw notFound();
  return number;
}

function filtersOf(query: Record<string, string | undefined>): AlertFilters {
  return {
    state: query.state as AlertStateFilter | undefined,
    severity: query.severity as SeverityFilter | undefined,
    toolName: query.tool_name,
    toolGuid: query.tool_guid,
    ref: query.ref,
  };
}

const describedUpload = describeOperation('code-scanning/upload-sarif')?.body as { properties: object } | undefined;

/** `code-scanning/upload-sarif`: 202 `{id, url}`; processing follows in the background (src/code-scanning/engine.ts). */
const uploadSarifOperation: Operation = {
  operationId: 'code-scanning/upload-sarif',
  ...REPO,
  permissions: { security_events: 'write' },
  bodyLimit: SARIF_UPLOAD_BODY_LIMIT,
  // `category` (the analysis category) is GitHub's field of this body, absent from the description.
  body: describedUpload && { ...describedUpload, properties: { ...describedUpload.properties, category: { type: 'string' } } },
  async handler(request, reply) {
    const access = orgOf(request);
    const repo = await scannedRepository(request.server.ctx, access, repoName(request), 'write');
    const upload = await uploadSarif(request.server.ctx, access, repo, request.body as SarifUploadRequest & { category?: string });
    reply.code(202);
    return { id: upload.guid, url: `${request.urls.api}/repos/${access.org.login}/${repo.name}/code-scanning/sarifs/${upload.guid}` };
  },
};

/** `code-scanning/get-sarif`: `processing_status` pending | complete | failed, with `errors` when failed. */
const getSarif: Operation = {
  operationId: 'code-scanning/get-sarif',
  ...REPO,
  permissions: { security_events: 'read' },
  async handler(request) {
    const access = orgOf(request);
    const repo = await scannedRepository(request.server.ctx, access, repoName(request), 'read');
    const upload = await sarifUpload(request.server.ctx, repo, (request.params as { sarif_id: string }).sarif_id);
    return sarifStatus(request.urls, access.org, repo, upload);
  },
};

/** `code-scanning/list-alerts-for-repo`: numbered pages with `Link`. */
const listAlertsForRepo: Operation = {
  operationId: 'code-scanning/list-alerts-for-repo',
  ...REPO,
  permissions: { security_events: 'read' },
  async handler(request, reply) {
    const { ctx } = request.server;
    const access = orgOf(request);
    const repo = await scannedRepository(ctx, access, repoName(request), 'read');
    const query = request.query as Record<string, string | undefined>;
    const page = readPage(query);
    const { rows, people } = await listAlertsOfRepository(ctx, repo, filtersOf(query), {
      sort: (query.sort as 'created' | 'number' | 'updated' | undefined) ?? 'created',
      direction: (query.direction as 'asc' | 'desc' | undefined) ?? 'desc',
      offset: page.offset,
      limit: page.perPage + 1,
    });
    setPageLinks(request, reply, page, { hasNext: rows.length > page.perPage });
    return rows.slice(0, page.perPage).map((alert) => presentAlert(request.urls, access.org, repo, alert, people));
  },
};

const getAlert: Operation = {
  operationId: 'code-scanning/get-alert',
  ...REPO,
  permissions: { security_events: 'read' },
  async handler(request) {
    const { ctx } = request.server;
    const access = orgOf(request);
    const repo = await scannedRepository(ctx, access, repoName(request), 'read');
    const alert = await alertOf(ctx, repo, alertNumber(request));
    return presentAlert(request.urls, access.org, repo, alert, await peopleOf(ctx.db, [alert]));
  },
};

/** `code-scanning/update-alert`: dismiss or reopen, and/or set assignees. */
const updateAlertOperation: Operation = {
  operationId: 'code-scanning/update-alert',
  ...REPO,
  permissions: { security_events: 'write' },
  async handler(request) {
    const { ctx } = request.server;
    const access = orgOf(request);
    const repo = await scannedRepository(ctx, access, repoName(request), 'write');
    const alert = await changeAlert(ctx, access, repo, alertNumber(request), request.body as AlertUpdate);
    return presentAlert(request.urls, access.org, repo, alert, await peopleOf(ctx.db, [alert]));
  },
};

// ---- the org list: keyset cursors `before` / `after` ---------------------------------------------------------------

function encodeCursor(alert: CodeScanningAlertRow, sort: 'created' | 'updated'): string {
  return Buffer.from(JSON.stringify(sort === 'updated' ? [alert.updated_at, alert.id] : [null, alert.id])).toString('base64url');
}

function decodeCursor(text: string | undefined): AlertCursor | undefined {
  if (text === undefined || text === '') return undefined;
  try {
    const [key, id] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as [unknown, unknown];
    if ((key === null || typeof key === 'string') && idFromPath(String(id)) !== undefined) return { key, id: Number(id) };
  } catch {
    // Not a cursor this server made: answered below.
  }
  throw new ApiError(400, 'The cursor is not valid.');
}

/** `Link` of a cursor page: `prev` before its first row and `next` after its last, where rows lie that way. */
function setCursorLinks(
  request: FastifyRequest,
  reply: FastifyReply,
  rows: CodeScanningAlertRow[],
  sides: { prev: boolean; next: boolean },
  sort: 'created' | 'updated',
  perPage: number,
) {
  if (rows.length === 0) return;
  const links: string[] = [];
  const link = (rel: 'prev' | 'next', cursor: string) => {
    const url = new URL(selfLink(request, { per_page: perPage, [rel === 'next' ? 'after' : 'before']: cursor }));
    url.searchParams.delete(rel === 'next' ? 'before' : 'after');
    url.searchParams.delete('page');
    links.push(`<${url.toString()}>; rel="${rel}"`);
  };
  if (sides.prev) link('prev', encodeCursor(rows[0], sort));
  if (sides.next) link('next', encodeCursor(rows[rows.length - 1], sort));
  if (links.length) reply.header('Link', links.join(', '));
}

/** `code-scanning/list-alerts-for-org`: owners and security managers; others 404. */
const listAlertsForOrg: Operation = {
  operationId: 'code-scanning/list-alerts-for-org',
  authenticated: true,
  acceptedScopes: SCOPES,
  enforceScopes: true,
  orgRole: 'security',
  permissions: { security_events: 'read' },
  async handler(request, reply) {
    const { ctx } = request.server;
    const access = orgOf(request);
    const query = request.query as Record<string, string | undefined>;
    const page = readPage(query);
    const sort = (query.sort as 'created' | 'updated' | undefined) ?? 'created';
    const after = decodeCursor(query.after);
    const before = decodeCursor(query.before);
    const filters = filtersOf(query);
    if (query.assignees !== undefined) {
      const names = query.assignees.split(',').map((name) => name.trim()).filter(Boolean);
      const logins = names.filter((name) => name !== '*' && name.toLowerCase() !== 'none');
      filters.assignees = { any: names.includes('*'), none: names.some((n) => n.toLowerCase() === 'none'), userIds: await accountIdsByLogin(ctx.db, logins) };
    }
    const { rows, people, repositories } = await listAlertsOfOrg(ctx, access, filters, {
      sort,
      direction: (query.direction as 'asc' | 'desc' | undefined) ?? 'desc',
      after,
      before,
      offset: page.offset,
      limit: page.perPage + 1,
    });
    const backwards = before !== undefined && after === undefined;
    // Reading backwards, the extra row is the one furthest from the cursor: the first.
    const shown = backwards ? rows.slice(Math.max(0, rows.length - page.perPage)) : rows.slice(0, page.perPage);
    const more = rows.length > page.perPage;
    // Numbered pages link numbered pages; otherwise the links carry cursors (a first page has nothing before it).
    if (query.page !== undefined && !after && !before) setPageLinks(request, reply, page, { hasNext: more });
    else setCursorLinks(request, reply, shown, backwards ? { prev: more, next: true } : { prev: Boolean(after), next: more }, sort, page.perPage);
    return orgAlertItems(request.urls, access.org, repositories, shown, people);
  },
};

export const codeScanningOperations: Operation[] = [
  uploadSarifOperation,
  getSarif,
  listAlertsForRepo,
  getAlert,
  updateAlertOperation,
  listAlertsForOrg,
];
