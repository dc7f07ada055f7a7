import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { readOrgAccessWithTokenOwner, type NamedUser, type OrgRead } from '../../orgs/access.js';
import { findTokenOwner, findTokenOwnerNaming, type TokenOwner } from '../../tokens/store.js';
import type { PathNames } from './kind.js';

/**
 * The owner of a personal access token (classic or fine-grained), read in one statement with what the request's path
 * names: `{org}` (with the `{username}` the operation reads, if any), or that `{username}` alone. The token is read
 * alone when the path names neither, or when the read with the org finds no row (no such org, or no such token).
 */
export async function lookUpTokenOwner(
  db: Kysely<Database>,
  token: string,
  names: PathNames,
): Promise<{ owner?: TokenOwner; orgRead?: OrgRead; namedUser?: NamedUser }> {
  if (names.org !== undefined) {
    const both = await readOrgAccessWithTokenOwner(db, token, names.org, { named: names.username, counts: names.orgCounts });
    if (both) return { owner: both.owner, orgRead: both.read };
  } else if (names.username !== undefined) {
    const found = await findTokenOwnerNaming(db, token, names.username);
    return found ? { owner: found.owner, namedUser: found.account ? { account: found.account, membership: undefined } : null } : {};
  }
  return { owner: await findTokenOwner(db, token) };
}
