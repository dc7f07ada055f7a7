import type { Kysely } from 'kysely';
import type { Clock } from '../../clock.js';
import type { Database } from '../../db/schema.js';
import type { OrgRead } from '../../orgs/access.js';
import type { Caller } from './caller.js';

/** What resolving a token may read. */
export interface TokenEnvironment {
  db: Kysely<Database>;
  clock: Clock;
}

/** A token's caller, and the `{org}` the request names as its user sees it when the kind could read both at once. */
export interface Resolved {
  caller: Caller;
  orgRead?: OrgRead;
}

/** One kind of credential (classic `ghp_`, fine-grained `github_pat_`, installation `ghs_`, app JWT `eyJ…`). */
export interface TokenKind {
  /** Whether `token` is of this kind, by its shape alone (no lookups). Kinds are asked in order (src/http/auth/kinds.ts). */
  recognises(token: string): boolean;
  /**
   * The caller `token` stands for. Throws the ApiError GitHub answers when it stands for none (`badCredentials()`,
   * an expired or badly signed JWT's 401, a suspended account's 403). With `orgLogin` (the request's `{org}`), a
   * kind may read that org with the token, saving the request a statement.
   */
  resolve(token: string, env: TokenEnvironment, orgLogin?: string): Promise<Resolved>;
}
