import type { AppContext } from '../context.js';
import { isoSeconds } from '../clock.js';
import { recordEvent } from '../events/record.js';
import { findAccountById, lockAccount, type Account } from '../accounts/store.js';
import type { Caller } from '../http/auth/index.js';
import { ApiError, invalidField, validationFailed } from '../http/errors.js';
import { parseOrgSettings, PATCHABLE_SETTINGS, type OrgSettings } from './settings.js';

type ProfileField = 'name' | 'company' | 'email' | 'twitter_username' | 'location' | 'description' | 'blog';
const PROFILE_FIELDS: ProfileField[] = ['name', 'company', 'email', 'twitter_username', 'location', 'description', 'blog'];

export type OrgUpdate = Partial<Record<ProfileField, string>> &
  Partial<Record<(typeof PATCHABLE_SETTINGS)[number], unknown>> & {
    members_can_create_repositories?: boolean;
    members_allowed_repository_creation_type?: 'all' | 'private' | 'none';
  };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function validate(body: OrgUpdate): void {
  if (body.description !== undefined && body.description.length > 160) {
    throw invalidField('Organization', 'description', 'invalid', 'description is too long (maximum is 160 characters)');
  }
  for (const field of ['email', 'billing_email'] as const) {
    const value = body[field];
    if (typeof value === 'string' && value !== '' && !EMAIL.test(value)) {
      throw invalidField('Organization', field, 'invalid', `${field} is invalid`);
    }
  }
  if (body.twitter_username !== undefined && body.twitter_username.length > 15) {
    throw invalidField('Organization', 'twitter_username', 'invalid', 'twitter_username is too long (maximum is 15 characters)');
  }
  for (const field of ['name', 'company', 'location', 'blog'] as const) {
    if ((body[field]?.length ?? 0) > 255) throw invalidField('Organization', field, 'invalid', `${field} is too long (maximum is 255 characters)`);
  }
  if (body.members_can_create_internal_repositories === true) {
    // Internal repositories exist only for organizations in an enterprise account, which orghub does not model.
    throw validationFailed([
      { resource: 'Organization', field: 'members_can_create_internal_repositories', code: 'invalid', message: 'Internal repositories are only available to organizations in an enterprise account' },
    ]);
  }
}

/** Applies the deprecated `members_allowed_repository_creation_type` and `members_can_create_repositories` to the granular settings. */
function applyRepositoryCreation(body: OrgUpdate, settings: OrgSettings): void {
  const type = body.members_allowed_repository_creation_type;
  const canCreate = body.members_can_create_repositories;
  // Contradictory switches in one request (e.g. type `none` with creation enabled) conflict: 409 rather than a silent pick.
  if (type !== undefined && canCreate !== undefined && (type === 'none') === canCreate) {
    throw new ApiError(409, 'members_allowed_repository_creation_type conflicts with members_can_create_repositories');
  }
  if (canCreate !== undefined) {
    settings.members_can_create_public_repositories = canCreate;
    settings.members_can_create_private_repositories = canCreate;
  }
  if (type !== undefined) {
    // The deprecated parameter overrides members_can_create_repositories, as GitHub documents.
    settings.members_can_create_public_repositories = type === 'all';
    settings.members_can_create_private_repositories = type !== 'none';
  }
}

/** `PATCH /orgs/{org}`: every documented field; unknown fields are ignored, as GitHub ignores them. */
export async function updateOrg(ctx: AppContext, org: Account, caller: Caller, body: OrgUpdate): Promise<Account> {
  validate(body);
  const now = isoSeconds(ctx.clock.now());
  return ctx.db.transaction().execute(async (trx) => {
    // The settings document is rewritten whole: it must be read under the row lock, or parallel PATCHes of other fields are lost.
    await lockAccount(trx, ctx.dialect, org.id);
    const current = (await findAccountById(trx, org.id, 'Organization')) ?? org;
    const { settings, profile, changes } = applyUpdate(current, body);
    // A PATCH that changes nothing leaves the org as it was: no new updated_at (hence ETag), no audit event.
    if (Object.keys(changes).length === 0) return current;
    const updated = await trx
      .updateTable('accounts')
      .set({ ...profile, settings: JSON.stringify(settings), updated_at: now })
      .where('id', '=', org.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordEvent(trx, {
      action: 'org.update',
      actor: { id: caller.userId, login: caller.login },
      org: { id: org.id, login: org.login },
      data: { changes },
      createdAt: now,
    });
    return updated;
  });
}

/** The org's settings and profile after `body`, and the fields whose values it changes. */
function applyUpdate(org: Account, body: OrgUpdate) {
  const before = parseOrgSettings(org.settings);
  const settings = parseOrgSettings(org.settings);
  for (const field of PATCHABLE_SETTINGS) {
    if (body[field] !== undefined) {
      (settings as unknown as Record<string, unknown>)[field] = body[field] === '' && field === 'billing_email' ? null : body[field];
    }
  }
  applyRepositoryCreation(body, settings);
  const changes: Record<string, unknown> = {};
  for (const field of Object.keys(settings) as (keyof OrgSettings)[]) {
    if (settings[field] !== before[field]) changes[field] = settings[field];
  }
  const profile: Partial<Record<ProfileField, string | null>> = {};
  for (const field of PROFILE_FIELDS) {
    // An empty string clears a profile field, which GitHub then reports as null.
    const value = body[field] === undefined ? undefined : body[field] === '' ? null : body[field]!;
    if (value !== undefined && value !== org[field]) profile[field] = changes[field] = value;
  }
  return { settings, profile, changes };
}
