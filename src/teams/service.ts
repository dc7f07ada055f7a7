import type { Kysely } from 'kysely';
import { findAccount, lockAccount, type Account } from '../accounts/store.js';
import { recordEvent, recordEvents, type ChangeEvent } from '../events/record.js';
import { isoSeconds } from '../clock.js';
import type { AppContext } from '../context.js';
import type { Database } from '../db/schema.js';
import { forbidden, invalidField, notFound } from '../http/errors.js';
import { teamNameTaken } from '../http/store-refusals.js';
import type { Urls } from '../http/urls.js';
import type { ApiVersion } from '../http/versions.js';
import { actorOf, removeTeamsFromInvitations } from '../invitations/service.js';
import { isMember, isOwner, type OrgAccess } from '../orgs/access.js';
import { getMembership } from '../memberships/store.js';
import { team, teamFull } from './present.js';
import {
  countActiveTeamMembers,
  deleteTeams,
  findTeamById,
  findTeamBySlug,
  findTeamNamed,
  getTeamMember,
  hasChildTeams,
  insertTeam,
  isTeamVisible,
  parentsOf,
  putTeamMember,
  teamSubtree,
  updateTeamRow,
  type TeamChanges,
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

/** Org owners and the team's (active) maintainers may change a team: its settings, its members, whether it exists. */
export async function managesTeam(db: Kysely<Database>, access: OrgAccess, row: TeamRow): Promise<boolean> {
  if (isOwner(access)) return true;
  const own = await getTeamMember(db, row.id, access.caller!.userId);
  return own?.state === 'active' && own.role === 'maintainer';
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

/** `PATCH /orgs/{org}/teams/{team_slug}`'s body: fields left out stay as they are; a null parent removes it. */
export interface TeamUpdate {
  name?: string;
  description?: string;
  privacy?: TeamRow['privacy'];
  notification_setting?: TeamRow['notification_setting'];
  /** Deprecated: the permission repositories are added with when none is given. */
  permission?: 'pull' | 'push' | 'admin';
  parent_team_id?: number | null;
  parent_team_slug?: string | null;
}

type ParentRequest = Pick<TeamUpdate, 'parent_team_id' | 'parent_team_slug'>;

/** The body field naming the parent: `parent_team_slug` is ignored when `parent_team_id` is given too. */
const parentField = (body: ParentRequest) => (body.parent_team_id !== undefined ? 'parent_team_id' : 'parent_team_slug');

/** The parent team a body names, null when it asks for none, undefined when it says nothing about one. */
async function parentFor(db: Kysely<Database>, orgId: number, body: ParentRequest): Promise<TeamRow | null | undefined> {
  const field = parentField(body);
  const value = body[field];
  if (value === undefined || value === null) return value;
  const parent = typeof value === 'number' ? await findTeamById(db, orgId, value) : await findTeamBySlug(db, orgId, value);
  if (!parent) throw invalidField('Team', field, 'invalid', `${field} is not a team of this organization`);
  return parent;
}

// Only a team outside the hierarchy may be secret (GitHub's nested teams).
const childMustBeClosed = () => invalidField('Team', 'privacy', 'invalid', 'A team with a parent team must be closed');
const parentMustBeClosed = (field: string) => invalidField('Team', field, 'invalid', 'A parent team must be closed');

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
    if (parent && body.privacy === 'secret') throw childMustBeClosed();
    if (parent?.privacy === 'secret') throw parentMustBeClosed(parentField(body));
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

/** The columns `body` changes, checked against the org's other teams: a free name, a parent that keeps the tree a tree. */
async function teamChanges(
  trx: Kysely<Database>,
  access: OrgAccess,
  before: TeamRow,
  body: TeamUpdate,
): Promise<{ changes: TeamChanges; parent: TeamRow | null | undefined }> {
  const changes: TeamChanges = {};
  if (body.name !== undefined && body.name.trim() !== before.name) {
    const name = body.name.trim();
    const slug = slugFor(name);
    if (!slug) throw invalidField('Team', 'name', 'invalid', 'name is invalid');
    if (await findTeamNamed(trx, access.org.id, name, slug, before.id)) throw teamNameTaken();
    Object.assign(changes, { name, slug });
  }
  for (const field of ['description', 'privacy', 'notification_setting', 'permission'] as const) {
    if (body[field] !== undefined && body[field] !== before[field]) Object.assign(changes, { [field]: body[field] });
  }
  const parent = await parentFor(trx, access.org.id, body);
  if (parent !== undefined && (parent?.id ?? null) !== before.parent_id) {
    // Maintainers may only ask for their team to be moved; the move is the owners' (GitHub's nested teams).
    if (!isOwner(access)) throw forbidden('You must be an organization owner to change the parent team of a team.');
    const field = parentField(body);
    if (parent && (await teamSubtree(trx, before)).some((row) => row.id === parent.id)) {
      throw invalidField('Team', field, 'invalid', 'A team cannot be nested under itself or one of its child teams');
    }
    if (parent?.privacy === 'secret') throw parentMustBeClosed(field);
    changes.parent_id = parent?.id ?? null;
  }
  const privacy = changes.privacy ?? before.privacy;
  if (privacy === 'secret' && (changes.parent_id !== undefined ? changes.parent_id : before.parent_id) !== null) throw childMustBeClosed();
  if (changes.privacy === 'secret' && (await hasChildTeams(trx, before.id))) throw parentMustBeClosed('privacy');
  return { changes, parent };
}

/** The audit events of one team edit, with GitHub's names: `team.rename`, `team.change_privacy`, `team.change_parent_team`, and `team.update` for the rest. */
async function teamEditEvents(
  trx: Kysely<Database>,
  base: Omit<ChangeEvent, 'action'> & { org: Account; team: TeamRow; previousTeam: TeamRow },
  changes: TeamChanges,
  parent: TeamRow | null | undefined,
): Promise<ChangeEvent[]> {
  const { org, team: after, previousTeam: before } = base;
  const teamName = (row: TeamRow | null | undefined) => (row ? `${org.login}/${row.slug}` : null);
  const events: ChangeEvent[] = [];
  const add = (action: string, data: Record<string, unknown>) => events.push({ ...base, action, data: { team: teamName(after), ...data } });
  if (changes.name !== undefined) add('team.rename', { name: after.name, name_was: before.name });
  if (changes.privacy !== undefined) add('team.change_privacy', { privacy: after.privacy, privacy_was: before.privacy });
  if (changes.parent_id !== undefined) {
    const previousParent = before.parent_id === null ? undefined : await findTeamById(trx, org.id, before.parent_id);
    add('team.change_parent_team', {
      parent_team: teamName(parent),
      parent_team_id: after.parent_id,
      parent_team_was: teamName(previousParent),
      parent_team_id_was: before.parent_id,
    });
  }
  const settings = Object.fromEntries(
    (['description', 'notification_setting', 'permission'] as const).filter((field) => changes[field] !== undefined).map((field) => [field, changes[field]]),
  );
  if (Object.keys(settings).length) add('team.update', { changes: settings });
  return events;
}

/**
 * `PATCH /orgs/{org}/teams/{team_slug}`: by org owners and the team's maintainers (a parent change: owners only). The
 * slug follows the name. A team with a parent or with child teams is closed, and no team is nested under itself.
 * An edit that changes nothing leaves the team as it was: no new `updated_at`, no audit event.
 */
export async function updateTeam(ctx: AppContext, access: OrgAccess, slug: string, body: TeamUpdate): Promise<TeamRow> {
  const { org } = access;
  const found = await visibleTeam(ctx, access, slug);
  const nowIso = isoSeconds(ctx.clock.now());
  return ctx.db.transaction().execute(async (trx) => {
    await lockAccount(trx, ctx.dialect, org.id);
    const before = await findTeamById(trx, org.id, found.id);
    if (!before) throw notFound();
    if (!(await managesTeam(trx, access, before))) throw forbidden('You must be an organization owner or team maintainer to edit this team.');
    const { changes, parent } = await teamChanges(trx, access, before, body);
    if (Object.keys(changes).length === 0) return before;
    const after = await updateTeamRow(trx, before.id, { ...changes, updated_at: nowIso });
    const base = { actor: actorOf(access.caller!), org, team: after, previousTeam: before, createdAt: nowIso };
    await recordEvents(trx, await teamEditEvents(trx, base, changes, parent));
    return after;
  });
}

/**
 * `DELETE /orgs/{org}/teams/{team_slug}`: by org owners and the team's maintainers. Its child teams go with it, at any
 * depth, so a team that has them is deleted by owners only. Each deleted team is recorded (`team.destroy`).
 */
export async function deleteTeam(ctx: AppContext, access: OrgAccess, slug: string): Promise<void> {
  const { org } = access;
  const found = await visibleTeam(ctx, access, slug);
  const nowIso = isoSeconds(ctx.clock.now());
  await ctx.db.transaction().execute(async (trx) => {
    await lockAccount(trx, ctx.dialect, org.id);
    const team = await findTeamById(trx, org.id, found.id);
    if (!team) throw notFound();
    if (!(await managesTeam(trx, access, team))) throw forbidden('You must be an organization owner or team maintainer to delete this team.');
    const deleted = await teamSubtree(trx, team);
    if (deleted.length > 1 && !isOwner(access)) throw forbidden('You must be an organization owner to delete a team with child teams.');
    const ids = deleted.map((row) => row.id);
    await removeTeamsFromInvitations(trx, org.id, ids, nowIso);
    await deleteTeams(trx, ids);
    for (const row of deleted) {
      await recordEvent(trx, { action: 'team.destroy', actor: actorOf(access.caller!), org, team: row, data: { team: `${org.login}/${row.slug}` }, createdAt: nowIso });
    }
  });
}
