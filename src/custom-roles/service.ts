import { findAccountById, lockAccount, type Account } from '../accounts/store.js';
import { recordEvent } from '../events/record.js';
import { isoSeconds } from '../clock.js';
import type { AppContext } from '../context.js';
import { idFromPath } from '../db/columns.js';
import type { Caller } from '../http/auth/index.js';
import { ApiError, notFound } from '../http/errors.js';
import { customRoleNameTaken } from '../http/store-refusals.js';
import { isOwner, loadOrgAccess } from '../orgs/access.js';
import { findCustomRoleNamed, insertCustomRole, listCustomRoles, type CustomRoleRow } from './store.js';

/** The fine-grained repository permissions a custom role may add to its base role (GitHub's list for organizations). */
export const FINE_GRAINED_PERMISSIONS = new Set([
  'add_assignee', 'add_label', 'bypass_branch_protection', 'close_discussion', 'close_issue', 'close_pull_request',
  'convert_issues_to_discussions', 'create_discussion_category', 'create_solo_merge_queue_entry', 'create_tag',
  'delete_alerts_code_scanning', 'delete_discussion', 'delete_discussion_comment', 'delete_issue', 'delete_tag',
  'edit_category_on_discussion', 'edit_discussion_category', 'edit_discussion_comment', 'edit_repo_custom_properties_values',
  'edit_repo_metadata', 'edit_repo_protections', 'jump_merge_queue', 'manage_deploy_keys', 'manage_settings_merge_types',
  'manage_settings_pages', 'manage_settings_projects', 'manage_settings_wiki', 'manage_webhooks', 'mark_as_duplicate',
  'push_protected_branch', 'read_code_quality', 'read_code_scanning', 'reopen_discussion', 'reopen_issue', 'reopen_pull_request',
  'request_pr_review', 'resolve_dependabot_alerts', 'resolve_secret_scanning_alerts', 'set_interaction_limits', 'set_issue_type',
  'set_milestone', 'set_social_preview', 'toggle_discussion_answer', 'toggle_discussion_comment_minimize', 'view_dependabot_alerts',
  'view_secret_scanning_alerts', 'write_code_quality', 'write_code_scanning', 'write_repository_actions_environments',
  'write_repository_actions_runners', 'write_repository_actions_secrets', 'write_repository_actions_settings',
  'write_repository_actions_variables',
]);

export interface CustomRoleRequest {
  name: string;
  description?: string | null;
  base_role: CustomRoleRow['base_role'];
  permissions: string[];
}

/** GitHub's 422 wording for unknown permissions. */
function invalidPermissions(invalid: string[]): ApiError {
  const list = invalid.map((p) => `\`${p}\``).join(', ');
  return new ApiError(422, invalid.length === 1 ? `Invalid permission: ${list}.` : `Invalid permissions: ${list}.`);
}

/** `POST /orgs/{org}/custom-repository-roles`: owners only; names are unique per org (case-insensitive). */
export async function createCustomRole(ctx: AppContext, org: Account, caller: Caller, body: CustomRoleRequest): Promise<CustomRoleRow> {
  const name = body.name.trim();
  if (!name) throw new ApiError(422, "Name can't be blank");
  const permissions = [...new Set(body.permissions)];
  const invalid = permissions.filter((p) => !FINE_GRAINED_PERMISSIONS.has(p));
  if (invalid.length) throw invalidPermissions(invalid);
  const now = isoSeconds(ctx.clock.now());
  return ctx.db.transaction().execute(async (trx) => {
    await lockAccount(trx, ctx.dialect, org.id);
    if (await findCustomRoleNamed(trx, org.id, name)) throw customRoleNameTaken();
    const row = await insertCustomRole(trx, { orgId: org.id, name, description: body.description ?? null, baseRole: body.base_role, permissions, now });
    await recordEvent(trx, {
      action: 'role.create',
      actor: { id: caller.userId, login: caller.login },
      org,
      data: { name, base_role: body.base_role, permissions },
      createdAt: now,
    });
    return row;
  });
}

/** `GET /organizations/{organization_id}/custom_roles`: the org by id, for its owners only (404 for anyone else). */
export async function customRolesOf(ctx: AppContext, organizationId: string, caller: Caller): Promise<{ org: Account; roles: CustomRoleRow[] }> {
  const id = idFromPath(organizationId);
  const org = id === undefined ? undefined : await findAccountById(ctx.db, id, 'Organization');
  if (!org) throw notFound();
  // As the caller's token sees the org: a token acting for another account is no owner here.
  const access = await loadOrgAccess(ctx.db, org.login, caller);
  if (!access || !isOwner(access)) throw notFound();
  return { org, roles: await listCustomRoles(ctx.db, org.id) };
}
