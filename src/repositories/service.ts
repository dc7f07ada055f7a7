import { isoSeconds } from '../clock.js';
import type { AppContext } from '../context.js';
import { recordEvent } from '../events/record.js';
import { ApiError, forbidden, invalidField } from '../http/errors.js';
import { actorOf } from '../invitations/service.js';
import { isMember, isOwner, managesSecurity, tokenAllows, type OrgAccess } from '../orgs/access.js';
import { parseOrgSettings } from '../orgs/settings.js';
import { findTeamById } from '../teams/store.js';
import { baseRepositoryPermission, installationReach, permissionIn, reachesPrivateRepositories } from './access.js';
import type { RepositoryPermission } from './present.js';
import {
  defaultRepositorySettings,
  insertRepository,
  listRepositories,
  type RepositoryListQuery,
  type RepositoryRow,
  type RepositorySettings,
} from './store.js';

/** The fields of `POST /orgs/{org}/repos` orghub keeps (git content options are accepted; there is no git hosting). */
export type RepositoryRequest = Partial<RepositorySettings> & {
  name: string;
  description?: string;
  homepage?: string;
  private?: boolean;
  visibility?: 'public' | 'private';
  is_template?: boolean;
  team_id?: number;
};

const MAX_NAME_LENGTH = 100;

/** GitHub's answer to a bad repository field: "Repository creation failed." with the field's message. */
const creationFailed = (field: string, message: string) =>
  new ApiError(422, 'Repository creation failed.', { errors: [{ resource: 'Repository', code: 'custom', field, message }] });

/** A requested name as GitHub stores it: each character outside letters, digits, `.`, `-` and `_` becomes `-`. */
export function normalizedRepositoryName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '-');
}

/**
 * `POST /orgs/{org}/repos`: owners always; members when the org lets members create repositories of that
 * visibility (`members_can_create_public_repositories` / `…_private_…`). Classic tokens need `repo`, or
 * `public_repo` for a public repository. Audited as `repo.create`; webhook `repository` `created`.
 */
export async function createRepository(ctx: AppContext, access: OrgAccess, body: RepositoryRequest): Promise<RepositoryRow> {
  const caller = access.caller!;
  const visibility = body.visibility ?? (body.private ? 'private' : 'public');
  // Classic tokens; installation and fine-grained tokens were judged by `administration: write`.
  if (!tokenAllows(access, visibility === 'public' ? ['repo', 'public_repo'] : ['repo'])) {
    throw forbidden(`This API operation needs the "repo" scope to create a ${visibility} repository.`);
  }
  const settings = parseOrgSettings(access.org.settings);
  const allowed = isOwner(access) || (isMember(access) &&
    (visibility === 'public' ? settings.members_can_create_public_repositories : settings.members_can_create_private_repositories));
  // GitHub's words for a member the org's settings do not let create repositories (and for non-members).
  if (!allowed) throw forbidden('You need admin access to the organization before adding a repository to it.');

  const name = normalizedRepositoryName(body.name);
  if (name.length === 0) throw creationFailed('name', 'name is too short (minimum is 1 character)');
  if (name.length > MAX_NAME_LENGTH) throw creationFailed('name', `name is too long (maximum is ${MAX_NAME_LENGTH} characters)`);
  if (name === '.' || name === '..') throw creationFailed('name', 'name cannot be . or ..');
  if (body.has_projects === true && !settings.has_repository_projects) {
    throw invalidField('Repository', 'has_projects', 'invalid', 'Projects are disabled for this organization');
  }
  // The docs: only an owner may turn on deleting head branches on merge.
  if (body.delete_branch_on_merge === true && !isOwner(access)) {
    throw invalidField('Repository', 'delete_branch_on_merge', 'invalid', 'Only organization owners can set delete_branch_on_merge');
  }
  // orghub keeps no per-team repository grants; a team that is not the org's is still refused, as GitHub does.
  if (body.team_id !== undefined && !(await findTeamById(ctx.db, access.org.id, body.team_id))) {
    throw invalidField('Repository', 'team_id', 'invalid', 'team_id is not a team of this organization');
  }

  const given = Object.entries(body).filter(([key, value]) => key in defaultRepositorySettings && value !== undefined);
  const repositorySettings: RepositorySettings = { ...defaultRepositorySettings, ...Object.fromEntries(given) };
  if (!settings.has_repository_projects) repositorySettings.has_projects = false;
  const now = isoSeconds(ctx.clock.now());
  return ctx.db.transaction().execute(async (trx) => {
    const repo = await insertRepository(trx, {
      org_id: access.org.id,
      name,
      name_lower: name.toLowerCase(),
      description: body.description ?? null,
      homepage: body.homepage ?? null,
      visibility,
      default_branch: 'main',
      is_template: body.is_template ? 1 : 0,
      archived: 0,
      settings: JSON.stringify(repositorySettings),
      created_by: caller.userId,
      created_at: now,
      updated_at: now,
      pushed_at: now,
    });
    await recordEvent(trx, {
      action: 'repo.create',
      actor: actorOf(caller),
      org: access.org,
      repository: repo,
      data: { repo: `${access.org.login}/${repo.name}`, visibility },
      createdAt: now,
    });
    return repo;
  });
}

/** `type` of `GET /orgs/{org}/repos`: there are no forks, so `sources` is every repository and `forks` none. */
const VISIBILITIES_OF_TYPE: Record<string, RepositoryRow['visibility'][] | undefined> = {
  all: undefined,
  sources: undefined,
  member: undefined,
  public: ['public'],
  private: ['private', 'internal'],
  forks: [],
};

/**
 * `GET /orgs/{org}/repos`: what the caller may see, with the permission it gives them. Owners, security managers and
 * members with a base permission see every repository; others see public ones (and members those they created).
 */
export async function listOrgRepositories(
  ctx: AppContext,
  access: OrgAccess,
  q: { type: string; sort: RepositoryListQuery['sort']; direction?: 'asc' | 'desc'; offset: number; limit: number },
): Promise<{ rows: { repo: RepositoryRow; permission: RepositoryPermission | undefined }[]; total: number }> {
  const visibilities = VISIBILITIES_OF_TYPE[q.type];
  if (visibilities?.length === 0) return { rows: [], total: 0 };
  const securityManager = await managesSecurity(ctx.db, access);
  const seesAll = reachesPrivateRepositories(access) && (isOwner(access) || baseRepositoryPermission(access) !== undefined || securityManager);
  const reach = await installationReach(ctx.db, access);
  const { rows, total } = await listRepositories(ctx.db, access.org.id, {
    visibilities,
    ids: reach && [...reach],
    limitedTo: seesAll ? undefined : { userId: isMember(access) && reachesPrivateRepositories(access) ? access.caller!.userId : null },
    sort: q.sort,
    direction: q.direction ?? (q.sort === 'full_name' ? 'asc' : 'desc'),
    offset: q.offset,
    limit: q.limit,
  });
  // Anonymous callers are shown no `permissions`, as on GitHub.
  return { rows: rows.map((repo) => ({ repo, permission: access.caller ? permissionIn(access, repo, securityManager) : undefined })), total };
}
