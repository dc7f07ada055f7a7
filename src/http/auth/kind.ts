import type { Kysely } from 'kysely';
import type { Clock } from '../../clock.js';
import type { Database } from '../../db/schema.js';
import type { NamedUser, OrgRead } from '../../orgs/access.js';
import type { StoredWindow } from '../../ratelimit/limiter.js';
import type { Caller } from './caller.js';

/** What resolving a token may read. */
export interface TokenEnvironment {
  db: Kysely<Database>;
  clock: Clock;
}

/**
 * What a request's path names that a token's read may bring along: its `{org}` (with its counters when the operation
 * shows them), and the `{username}` its operation reads.
 */
export interface PathNames {
  org?: string;
  orgCounts?: boolean;
  username?: string;
}

/** A token's caller, and what the request's path names (PathNames) when the kind could read them with the token. */
export interface Resolved {
  caller: Caller;
  orgRead?: OrgRead;
  /** On routes without `{org}`: the `{username}` account (on org routes it comes in `orgRead`). */
  namedUser?: NamedUser;
  /** The caller's rate-limit window, when read with the token (StoredWindow). */
  storedWindow?: StoredWindow;
}

/** One kind of credential (classic `ghp_`, fine-grained `github_pat_`, installation `ghs_`, app JWT `eyJ…`). */
export interface TokenKind {
  /** Whether `token` is of this kind, by its shape alone (no lookups). Kinds are asked in order (src/http/auth/kinds.ts). */
  recognises(token: string): boolean;
  /**
   * The caller `token` stands for. Throws the ApiError GitHub answers when it stands for none (`badCredentials()`,
   * an expired or badly signed JWT's 401, a suspended account's 403). A kind may read what `names` names with the
   * token, saving the request a statement.
   */
  resolve(token: string, env: TokenEnvironment, names: PathNames): Promise<Resolved>;
}
