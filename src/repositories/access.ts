import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { notFound } from '../http/errors.js';
import { isMember, isOwner, managesSecurity, tokenAllows, type OrgAccess } from '../orgs/access.js';
import { parseOrgSettings } from '../orgs/settings.js';
import type { RepositoryPermission } from './present.js';
import { tokenRepositories } from '../apps/service.js';
import { findRepository, type RepositoryRow } from './store.js';

/**
 * The caller's permission in one of the org's repositories, or undefined when they may not see it. orghub has no
 * per-repository collaborators or team grants: owners administer every repository, its creator administers it,
 * members hold the org's base permission (`default_repository_permission`), security managers read all; anyone reads
 * public ones.
 */
export async function repositoryPermission(db: Kysely<Database>, access: OrgAccess, repo: RepositoryRow): Promise<RepositoryPermission | undefined> {
  return permissionIn(access, repo, await managesSecurity(db, access));
}

/** `repositoryPermission` once it is known whether the caller manages the org's security. */
export function permissionIn(access: OrgAccess, repo: RepositoryRow, securityManager: boolean, privateScopes = PRIVATE_SCOPES): RepositoryPermission | undefined {
  if (repo.visibility !== 'public' && !reachesPrivateRepositories(access, privateScopes)) return undefined;
  if (isOwner(access) || (isMember(access) && repo.created_by === access.caller?.userId)) return 'admin';
  const base = baseRepositoryPermission(access);
  if (base) return base;
  if (securityManager) return 'read';
  return repo.visibility === 'public' ? 'read' : undefined;
}

const PRIVATE_SCOPES = ['repo'];

/**
 * A classic token reaches private repositories with the `repo` scope only (code scanning also with `security_events`);
 * installation and fine-grained tokens are judged by their permissions.
 */
export function reachesPrivateRepositories(access: OrgAccess, privateScopes = PRIVATE_SCOPES): boolean {
  return tokenAllows(access, privateScopes);
}

/** What every member holds in every repository of the org: its base permission; undefined for non-members and `none`. */
export function baseRepositoryPermission(access: OrgAccess): RepositoryPermission | undefined {
  if (!isMember(access)) return undefined;
  const base = parseOrgSettings(access.org.settings).default_repository_permission;
  return base === 'none' ? undefined : base;
}

/** The repositories an installation token reaches when it was given some only (their ids); undefined: every one. */
export async function installationReach(db: Kysely<Database>, access: OrgAccess): Promise<Set<number> | undefined> {
  if (!access.caller?.installation) return undefined;
  const { ids, selection } = await tokenRepositories(db, access.caller);
  return selection === 'selected' ? new Set(ids) : undefined;
}

/** `{owner}/{repo}` of the org, when an installation token reaches it; 404 (GitHub's answer for what one may not see) otherwise. */
export async function reachableRepository(db: Kysely<Database>, access: OrgAccess, name: string): Promise<RepositoryRow> {
  const repo = await findRepository(db, access.org.id, name);
  const reach = repo && (await installationReach(db, access));
  if (!repo || (reach && !reach.has(repo.id))) throw notFound();
  return repo;
}

/** `{owner}/{repo}` as the caller may see it; 404 otherwise. */
export async function visibleRepository(db: Kysely<Database>, access: OrgAccess, name: string): Promise<{ repo: RepositoryRow; permission: RepositoryPermission }> {
  const repo = await reachableRepository(db, access, name);
  const permission = await repositoryPermission(db, access, repo);
  if (!permission) throw notFound();
  return { repo, permission };
}
