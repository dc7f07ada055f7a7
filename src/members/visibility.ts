import type { FastifyReply, FastifyRequest } from 'fastify';
import { isMember, isOwner, tokenAllows, type OrgAccess } from '../orgs/access.js';

/** Classic scopes that let a member's token see concealed members (GitHub accepts these on the members checks). */
export const PRIVATE_MEMBER_SCOPES = ['read:org', 'repo', 'user'];

/**
 * Whether the caller sees concealed members as well as public ones: an active member (not a billing
 * manager) whose token carries `read:org` (or `repo`/`user`). Anyone else is treated as outside the org.
 */
export function seesConcealedMembers(access: OrgAccess): boolean {
  return isMember(access) && tokenAllows(access, PRIVATE_MEMBER_SCOPES);
}

/** The 2FA filters are GitHub's owners-only audit of members and outside collaborators. */
export function canAuditTwoFactor(access: OrgAccess): boolean {
  return isOwner(access) && seesConcealedMembers(access);
}

/**
 * `302 Found` to the public counterpart of a members URL (`/orgs/{org}/members[/{username}]` →
 * `/orgs/{org}/public_members[/{username}]`), on the base and prefix the request used, query string kept.
 */
export function redirectToPublicMembers(request: FastifyRequest, reply: FastifyReply) {
  const url = new URL(request.url, 'http://placeholder');
  const path = url.pathname.replace(/^(\/orgs\/[^/]+)\/members/, '$1/public_members');
  return reply.redirect(`${request.urls.api}${path}${url.search}`, 302);
}
