import type { Kysely } from 'kysely';
import { findAccount, lockAccount, type Account } from '../accounts/store.js';
import { recordEvent } from '../events/record.js';
import { isoSeconds } from '../clock.js';
import type { AppContext } from '../context.js';
import type { Database } from '../db/schema.js';
import { forbidden, invalidField, notFound } from '../http/errors.js';
import { teamNameTaken } from '../http/store-refusals.js';
import type { Urls } from '../http/urls.js';
import type { ApiVersion } from '../http/versions.js';
import { actorOf } from '../invitations/service.js';
import { isMember, isOwner, type OrgAccess } from '../orgs/access.js';
import { getMembership } from '../memberships/store.js';
import { team, teamFull } from './present.js';
import {
  countActiveTeamMembers,
  findTeamById,
  findTeamBySlug,
  findTeamNamed,
  insertTeam,
  isTeamVisible,
  parentsOf,
  putTeamMember,
  type TeamRow,
  type TeamViewer,
} from './store.js';

type Team = ReturnType<typeof team>;

/** GitHub's slug: accents dropped, lower case, every run of other characters one hyphen ("My TEam Näme" → my-team-name). */
export function slugFor(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

export async function presentTeams(db: Kysely<Database>, urls: Urls, orgLogin: string, rows: TeamRow[]): Promise<Team[]> {
  const parents = await parentsOf(db, rows);
  return rows.map((row) => team(urls, orgLogin, row, row.parent_id === null ? undefined : parents.get(row.parent_id)));
}

export async function presentTeamFull(db: Kysely<Database>, urls: Urls, org: Account, row: TeamRow, version: ApiVersion) {
  const [parents, membersCount] = await Promise.all([parentsOf(db, [row]), countActiveTeamMembers(db, row.id)]);
  return teamFull(urls, org, row, { parent: row.parent_id === null ? undefined : parents.get(row.parent_id), membersCount, version });
}

/** Teams are for the org's members: owners see every team, members the closed ones and the secret ones they are on. */
export function teamViewer(access: OrgAccess): TeamViewer | null {
  if (!access.caller || !isMember(access)) return null;
  return { userId: access.caller.userId, owner: isOwner(access) };
}

export function requireTeamViewer(access: OrgAccess): TeamViewer {
  const viewer = teamViewer(access);
  if (!viewer) throw forbidden(`You must be a member of ${access.org.login} to see its teams.`);
  return viewer;
}

/** `GET /orgs/{org}/teams/{team_slug}`: a team the caller may see, else 404. */
export async function visibleTeam(ctx: AppContext, access: OrgAccess, slug: string): Promise<TeamRow> {
  const viewer = teamViewer(access);
  const row = await findTeamBySlug(ctx.db, access.org.id, slug);
  if (!row || !viewer || !(await isTeamVisible(ctx.db, row, viewer))) throw notFound();
  return row;
}

export interface TeamRequest {
  name: string;
  description?: string;
  maintainers?: string[];
  repo_names?: string[];
  privacy?: 'secret' | 'closed';
  notification_setting?: 'notifications_enabled' | 'notifications_disabled';
  permission?: 'pull' | 'push';
  parent_team_id?: number;
  parent_team_slug?: string;
}

async function parentFor(db: Kysely<Database>, orgId: number, body: TeamRequest): Promise<TeamRow | undefined> {
  if (body.parent_team_id !== undefined) {
    const parent = await findTeamById(db, orgId, body.parent_team_id);
    if (!parent) throw invalidField('Team', 'parent_team_id', 'invalid', 'parent_team_id is not a team of this organization');
    return parent;
  }
  if (body.parent_team_slug !== undefined) {
    const parent = await findTeamBySlug(db, orgId, body.parent_team_slug);
    if (!parent) throw invalidField('Team', 'parent_team_slug', 'invalid', 'parent_team_slug is not a team of this organization');
    return parent;
  }
  return undefined;
}

/** Maintainers named at creation must be members of the org. */
async function maintainersFor(db: Kysely<Database>, orgId: number, logins: string[]): Promise<Account[]> {
  const out: Account[] = [];
  for (const login of new Set(logins.map((l) => l.toLowerCase()))) {
    const user = await findAccount(db, login, 'User');
    const membership = user && (await getMembership(db, orgId, user.id));
    if (!user || membership?.state !== 'active' || membership.role === 'billing_manager') {
      throw invalidField('Team', 'maintainers', 'invalid', `${login} is not a member of the organization`);
    }
    out.push(user);
  }
  return out;
}

/**
 * `POST /orgs/{org}/teams`: by an org member; the creator becomes a maintainer, as do the named `maintainers`.
 * Secret by default; a child team must be closed.
 */
export async function createTeam(ctx: AppContext, access: OrgAccess, body: TeamRequest): Promise<TeamRow> {
  const { org } = access;
  const caller = access.caller!;
  if (!isMember(access)) throw forbidden(`You must be a member of ${org.login} to create a team.`);
  const name = body.name.trim();
  const slug = slugFor(name);
  if (!slug) throw invalidField('Team', 'name', 'invalid', 'name is invalid');
  // orghub keeps no repositories, so no repository name can be found.
  if (body.repo_names?.length) throw invalidField('Team', 'repo_names', 'invalid', `Could not resolve to a repository: ${body.repo_names[0]}`);
  const nowIso = isoSeconds(ctx.clock.now());
  return ctx.db.transaction().execute(async (trx) => {
    await lockAccount(trx, ctx.dialect, org.id);
    if (await findTeamNamed(trx, org.id, name, slug)) {
      throw teamNameTaken();
    }
    const parent = await parentFor(trx, org.id, body);
    if (parent && body.privacy === 'secret') throw invalidField('Team', 'privacy', 'invalid', 'A team with a parent team must be closed');
    const maintainers = await maintainersFor(trx, org.id, [caller.login, ...(body.maintainers ?? [])]);
    const row = await insertTeam(trx, {
      org_id: org.id,
      name,
      slug,
      description: body.description ?? null,
      privacy: body.privacy ?? (parent ? 'closed' : 'secret'),
      notification_setting: body.notification_setting ?? 'notifications_enabled',
      permission: body.permission ?? 'pull',
      parent_id: parent?.id ?? null,
      now: nowIso,
    });
    const actor = actorOf(caller);
    const teamName = `${org.login}/${row.slug}`;
    await recordEvent(trx, { action: 'team.create', actor, org, team: row, data: { team: teamName, privacy: row.privacy }, createdAt: nowIso });
    for (const user of maintainers) {
      await putTeamMember(trx, { teamId: row.id, userId: user.id, role: 'maintainer', state: 'active', now: nowIso });
      await recordEvent(trx, { action: 'team.add_member', actor, org, user, team: row, data: { team: teamName, role: 'maintainer' }, createdAt: nowIso });
    }
    return row;
  });
}
