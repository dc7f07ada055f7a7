import { orgOf, type Operation } from '../http/operation.js';
import { perPageOnly, selfLink } from '../http/pagination.js';
import { auditLogEntry } from './present.js';
import { auditLogPage, type AuditLogQuery } from './service.js';

/**
 * `GET /orgs/{org}/audit-log`: org owners (404 for anyone else) whose token has `read:audit_log` ("personal access
 * tokens (classic) need the `read:audit_log` scope"; `admin:org` does not grant it). Paged by the opaque `after` and
 * `before` cursors of the `Link` header, which hold a place in the list: new events never shift a page.
 */
const getAuditLog: Operation = {
  operationId: 'orgs/get-audit-log',
  permissions: { organization_administration: 'read' },
  authenticated: true,
  acceptedScopes: ['read:audit_log'],
  enforceScopes: true,
  orgRole: 'owner',
  resource: 'AuditLog',
  async handler(request, reply) {
    const query = request.query as Omit<AuditLogQuery, 'perPage'> & { per_page?: unknown };
    const perPage = perPageOnly(query);
    const { ctx } = request.server;
    const page = await auditLogPage({ db: ctx.db, clock: ctx.clock, retentionDays: ctx.config.auditLogRetentionDays }, orgOf(request).org, { ...query, perPage });
    // GitHub's links carry both cursors, the unused one empty (`?after=…&before=`).
    const links = [
      ...(page.next ? [`<${selfLink(request, { after: page.next, before: '' })}>; rel="next"`] : []),
      ...(page.prev ? [`<${selfLink(request, { after: '', before: page.prev })}>; rel="prev"`] : []),
      ...(query.after || query.before ? [`<${selfLink(request, { after: '', before: '' })}>; rel="first"`] : []),
    ];
    if (links.length) reply.header('Link', links.join(', '));
    // Each action's own fields (`permission`, `old_login` …) are more than the schema lists: serialized whole, not by it.
    return reply.type('application/json; charset=utf-8').serializer(JSON.stringify).send(page.rows.map(auditLogEntry));
  },
};

export const auditLogOperations: Operation[] = [getAuditLog];
