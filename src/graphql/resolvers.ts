import type { Organization, OrganizationMemberRole, PageInfo, RateLimit, User } from '@octokit/graphql-schema';
import { findAccount, type Account } from '../accounts/store.js';
import { hasAnyScope } from '../http/scopes.js';
import { nodeId } from '../http/urls.js';
import { PRIVATE_MEMBER_SCOPES, seesConcealedMembers } from '../members/visibility.js';
import { listMembers } from '../members/store.js';
import { readCounter, type MembershipRole } from '../memberships/store.js';
import { isMember, isOwner, loadOrgAccess, type OrgAccess } from '../orgs/access.js';
import type { OrgSummary } from '../orgs/present.js';
import { listOrgsOfUser } from '../orgs/store.js';
import type { UserSummary } from '../users/present.js';
import { PAGE_ARGS, paginate, type Connection, type Edge, type PageArgs } from './connection.js';
import { admitted, type GraphqlContext } from './context.js';
import { githubError } from './errors.js';

/**
 * One field of GitHub's schema that orghub answers, read from real state. Every other field of the schema is refused
 * before execution (rules.ts), as are arguments a field does not list here.
 */
export interface ServedField<Source = any, Value = unknown> {
  resolve(source: Source, args: any, ctx: GraphqlContext): Value | Promise<Value>;
  /** The arguments this field reads. */
  args?: readonly string[];
  /** Classic scopes one of which the token needs, as GitHub asks them for this field (INSUFFICIENT_SCOPES otherwise). */
  scopes?: readonly string[];
}

type Leaf = string | number | boolean | null | undefined;
/** A type's served fields: tsc checks leaf values against GitHub's own type; object fields return the next source. */
type FieldsOf<Source, Gql> = { [K in Exclude<keyof Gql, '__typename'>]?: ServedField<Source, Gql[K] extends Leaf ? Gql[K] : unknown> };

type UserSource = UserSummary;
type OrgSource = OrgSummary;
type MemberEdge = Edge<UserSource> & { orgId: number; showRole: boolean };

const ROLES: Record<MembershipRole, OrganizationMemberRole | null> = { admin: 'ADMIN', member: 'MEMBER', billing_manager: null };

/** A value read straight off the source object (connections, page info, the rate limit are built whole). */
const property = <Source, K extends keyof Source>(name: K): ServedField<Source, Source[K]> => ({ resolve: (source) => source[name] });

type AccountType = 'User' | 'Organization';

const notFound = (type: AccountType, login: string) =>
  githubError('NOT_FOUND', `Could not resolve to ${type === 'User' ? 'a User' : 'an Organization'} with the login of '${login}'.`);

/** No login holds a NUL (PostgreSQL text cannot even be compared with one): such a login names nothing. */
const lookable = (login: string) => !login.includes('\u0000');

/** The account row behind a user or org node (list pages hold only their summary columns); gone if deleted meanwhile. */
async function accountOf(ctx: GraphqlContext, node: { id: number; login: string }, type: AccountType): Promise<Account> {
  const account = await ctx.accounts.load(node.id);
  if (!account) throw notFound(type, node.login);
  return account;
}

/** `avatarUrl(size:)`: the avatar, at `size` pixels when asked (GitHub's `s` parameter). */
function avatarUrl(ctx: GraphqlContext, id: number, size: number | null | undefined): string {
  const url = ctx.urls.avatar(id);
  return size == null ? url : `${url}&s=${size}`;
}

/** A field read off the node's account row. */
function profile<Source extends UserSource | OrgSource, T>(type: AccountType, read: (account: Account) => T): ServedField<Source, T> {
  return { resolve: async (node, _args, ctx) => read(await accountOf(ctx, node, type)) };
}

/** The fields users and organizations share (the `Actor`, `Node` and profile interfaces), from their summary or row. */
function accountFields<Source extends UserSource | OrgSource>(type: AccountType) {
  return {
    id: { resolve: (node: Source) => nodeId(type, node.id) },
    databaseId: { resolve: (node: Source) => node.id },
    login: { resolve: (node: Source) => node.login },
    avatarUrl: { args: ['size'], resolve: (node: Source, args: { size?: number | null }, ctx: GraphqlContext) => avatarUrl(ctx, node.id, args.size) },
    url: { resolve: (node: Source, _args: unknown, ctx: GraphqlContext) => `${ctx.urls.html}/${node.login}` },
    resourcePath: { resolve: (node: Source) => `/${node.login}` },
    name: profile<Source, string | null>(type, (account) => account.name),
    location: profile<Source, string | null>(type, (account) => account.location),
    websiteUrl: profile<Source, string | null>(type, (account) => account.blog || null),
    twitterUsername: profile<Source, string | null>(type, (account) => account.twitter_username),
    createdAt: profile<Source, string>(type, (account) => account.created_at),
    updatedAt: profile<Source, string>(type, (account) => account.updated_at),
  };
}

const userFields: FieldsOf<UserSource, User> = {
  ...accountFields<UserSource>('User'),
  // GitHub asks for one of these to show any user's email (`""` when there is none).
  email: { ...profile('User', (account) => account.email ?? ''), scopes: ['user:email', 'read:user'] },
  company: profile('User', (account) => account.company),
  bio: profile('User', (account) => account.bio),
  isSiteAdmin: { resolve: (user) => user.site_admin === 1 },
  isViewer: { resolve: (user, _args, ctx) => user.id === ctx.caller.userId },
  organizations: {
    args: PAGE_ARGS,
    // As REST's /user/orgs and /users/{username}/orgs: the viewer's own concealed memberships with a scope that shows them, public ones otherwise.
    async resolve(user, args: PageArgs, ctx): Promise<Connection<OrgSource>> {
      const publicOnly = !(user.id === ctx.caller.userId && hasAnyScope(ctx.caller.effective, PRIVATE_MEMBER_SCOPES));
      const page = (offset: number, limit: number) => listOrgsOfUser(ctx.app.db, user.id, { publicOnly, offset, limit });
      return paginate(args, {
        total: async () => (await page(0, 0)).total,
        slice: async (offset, limit) => (await page(offset, limit)).rows,
      });
    },
  },
};

const organizationFields: FieldsOf<OrgSource, Organization> = {
  ...accountFields<OrgSource>('Organization'),
  description: { resolve: (org) => org.description },
  email: profile('Organization', (account) => account.email),
  viewerIsAMember: viewerStanding(isMember),
  viewerCanAdminister: viewerStanding(isOwner),
  membersWithRole: {
    args: PAGE_ARGS,
    scopes: ['read:org'],
    // As REST's members list: the org's members see every member and their roles; anyone else the public members only.
    async resolve(org, args: PageArgs, ctx): Promise<Connection<UserSource>> {
      const access = await ctx.orgAccess(org);
      const memberView = access !== undefined && seesConcealedMembers(access);
      const query = { role: 'all', twoFactor: 'all', publicOnly: !memberView } as const;
      const connection = await paginate(args, {
        total: () => readCounter(ctx.app.db, org.id, memberView ? 'members' : 'public_members'),
        slice: (offset, limit) => listMembers(ctx.app.db, org.id, query, { offset, limit }),
      });
      const edges: MemberEdge[] = connection.edges.map((edge) => ({ ...edge, orgId: org.id, showRole: memberView }));
      return { ...connection, edges };
    },
  },
};

/** Whether the caller's membership in the org passes `test`. */
function viewerStanding(test: (access: OrgAccess) => boolean): ServedField<OrgSource, boolean> {
  return {
    async resolve(org, _args, ctx) {
      const access = await ctx.orgAccess(org);
      return access !== undefined && test(access);
    },
  };
}

/** Connections and edges are built whole by `paginate`: their fields are read off them. */
const connectionFields = {
  edges: property<Connection<unknown>, 'edges'>('edges'),
  nodes: property<Connection<unknown>, 'nodes'>('nodes'),
  pageInfo: property<Connection<unknown>, 'pageInfo'>('pageInfo'),
  totalCount: property<Connection<unknown>, 'totalCount'>('totalCount'),
};
const edgeFields = { cursor: property<Edge<unknown>, 'cursor'>('cursor'), node: property<Edge<unknown>, 'node'>('node') };

const memberEdgeFields = {
  ...edgeFields,
  role: {
    resolve: async (edge: MemberEdge, _args: unknown, ctx: GraphqlContext): Promise<OrganizationMemberRole | null> => {
      if (!edge.showRole) return null;
      const role = await ctx.roles(edge.orgId).load(edge.node.id);
      return role ? ROLES[role] : null;
    },
  },
};

const pageInfoFields: FieldsOf<PageInfo, PageInfo> = {
  startCursor: property('startCursor'),
  endCursor: property('endCursor'),
  hasNextPage: property('hasNextPage'),
  hasPreviousPage: property('hasPreviousPage'),
};

const rateLimitFields: FieldsOf<RateLimit, RateLimit> = {
  cost: property('cost'),
  limit: property('limit'),
  nodeCount: property('nodeCount'),
  remaining: property('remaining'),
  resetAt: property('resetAt'),
  used: property('used'),
};

const queryFields = {
  viewer: { resolve: (_root: unknown, _args: unknown, ctx: GraphqlContext) => accountOf(ctx, { id: ctx.caller.userId, login: ctx.caller.login }, 'User') },
  organization: {
    args: ['login'],
    async resolve(_root: unknown, args: { login: string }, ctx: GraphqlContext): Promise<OrgSource> {
      const found = lookable(args.login) ? await loadOrgAccess(ctx.app.db, args.login, ctx.caller) : undefined;
      if (!found) throw notFound('Organization', args.login);
      const access = await admitted(ctx.app, found);
      ctx.knowOrg(access);
      return access.org;
    },
  },
  user: {
    args: ['login'],
    async resolve(_root: unknown, args: { login: string }, ctx: GraphqlContext): Promise<UserSource> {
      const user = lookable(args.login) ? await findAccount(ctx.app.db, args.login, 'User') : undefined;
      if (!user) throw notFound('User', args.login);
      ctx.accounts.prime(user.id, user);
      return user;
    },
  },
  // `dryRun: true` charges nothing (engine.ts); the rest of the query is answered all the same.
  rateLimit: { args: ['dryRun'], resolve: (_root: unknown, _args: unknown, ctx: GraphqlContext) => ctx.rateLimit },
};

/** Every type orghub answers with, by GitHub's type name, and the fields of it that it serves. */
export const SERVED: Record<string, Record<string, ServedField>> = {
  Query: queryFields,
  User: userFields,
  Organization: organizationFields,
  OrganizationConnection: connectionFields,
  OrganizationEdge: edgeFields,
  OrganizationMemberConnection: connectionFields,
  OrganizationMemberEdge: memberEdgeFields,
  PageInfo: pageInfoFields,
  RateLimit: rateLimitFields,
};
