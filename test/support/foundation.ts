import { isoSeconds } from '../../src/clock.js';
import { findAccount, lockAccount } from '../../src/accounts/store.js';
import { operations } from '../../src/app.js';
import { putMembership, type MembershipRole, type MembershipState } from '../../src/memberships/store.js';
import type { TestServer } from './server.js';

/**
 * Gives `user` a membership in `org` straight through the shared membership store. The foundation has no
 * membership routes of its own (they come with the membership issue), so tests of the foundation's
 * operations set up non-owner members this way.
 */
export async function addMembership(
  t: TestServer,
  org: string,
  user: string,
  options: { role?: MembershipRole; state?: MembershipState; public?: boolean } = {},
): Promise<void> {
  const { db, dialect } = t.server.ctx;
  const orgRow = await findAccount(db, org, 'Organization');
  const userRow = await findAccount(db, user, 'User');
  if (!orgRow || !userRow) throw new Error(`addMembership: unknown ${orgRow ? user : org}`);
  await db.transaction().execute(async (trx) => {
    await lockAccount(trx, dialect, orgRow.id);
    await putMembership(trx, {
      orgId: orgRow.id,
      userId: userRow.id,
      role: options.role ?? 'member',
      state: options.state ?? 'active',
      public: options.public ?? false,
      now: isoSeconds(t.clock.now()),
    });
  });
}

/** Whether the server registers an operation (routes other issues add may not exist yet). */
export function servesOperation(operationId: string): boolean {
  return operations.some((op) => op.operationId === operationId);
}

/** The audit events recorded so far (the audit-log API is a later issue), oldest first. */
export async function auditEvents(t: TestServer, filter: { action?: string; org?: string } = {}) {
  let query = t.server.ctx.db.selectFrom('audit_events').selectAll().orderBy('id');
  if (filter.action) query = query.where('action', '=', filter.action);
  if (filter.org) query = query.where('org', '=', filter.org);
  const rows = await query.execute();
  return rows.map((row) => ({ ...row, data: row.data ? (JSON.parse(row.data) as Record<string, any>) : null }));
}

/** RFC 8288 `Link` header → { rel: url }. */
export function parseLink(header: string | null | undefined): Record<string, string> {
  const links: Record<string, string> = {};
  for (const part of (header ?? '').split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="([^"]+)"/.exec(part);
    if (match) links[match[2]] = match[1];
  }
  return links;
}

/** The `X-RateLimit-*` headers of a response, as numbers (and the resource name). */
export function rateHeaders(headers: Headers | Record<string, unknown>) {
  const get = (name: string) =>
    headers instanceof Headers ? headers.get(name) : (headers[name] as string | number | undefined)?.toString() ?? null;
  return {
    limit: Number(get('x-ratelimit-limit')),
    remaining: Number(get('x-ratelimit-remaining')),
    used: Number(get('x-ratelimit-used')),
    reset: Number(get('x-ratelimit-reset')),
    resource: get('x-ratelimit-resource'),
  };
}

/** Runs `fn`, expecting Octokit to throw a RequestError with `status`; returns the error. */
export async function rejectsWith(status: number, fn: () => Promise<unknown>): Promise<{ status: number; response?: { data: any; headers: Record<string, string> } }> {
  try {
    await fn();
  } catch (error) {
    const e = error as { status?: number; response?: { data: any; headers: Record<string, string> } };
    if (e.status !== status) throw new Error(`expected ${status}, got ${e.status}: ${JSON.stringify(e.response?.data)}`);
    return e as { status: number; response?: { data: any; headers: Record<string, string> } };
  }
  throw new Error(`expected ${status}, the call succeeded`);
}
