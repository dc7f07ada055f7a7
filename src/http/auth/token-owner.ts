import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { readOrgAccessWithTokenOwner, type OrgRead } from '../../orgs/access.js';
import { findTokenOwner, type TokenOwner } from '../../tokens/store.js';

/**
 * The owner of a personal access token (classic or fine-grained), read with `{org}` in one statement when the
 * request names an org; alone when it names none, or when that read finds no row (no such org, or no such token).
 */
export async function lookUpTokenOwner(db: Kysely<Database>, token: string, orgLogin: string | undefined): Promise<{ owner?: TokenOwner; orgRead?: OrgRead }> {
  const both = orgLogin === undefined ? undefined : await readOrgAccessWithTokenOwner(db, token, orgLogin);
  return both ? { owner: both.owner, orgRead: both.read } : { owner: await findTokenOwner(db, token) };
}
