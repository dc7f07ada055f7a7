import type { Kysely } from 'kysely';
import type { Clock } from '../../clock.js';
import type { Database } from '../../db/schema.js';
import type { Caller } from './caller.js';

/** What resolving a token may read. */
export interface TokenEnvironment {
  db: Kysely<Database>;
  clock: Clock;
}

/** One kind of credential (classic `ghp_`, fine-grained `github_pat_`, installation `ghs_`, app JWT `eyJ…`). */
export interface TokenKind {
  /** Whether `token` is of this kind, by its shape alone (no lookups). Kinds are asked in order (src/http/auth/kinds.ts). */
  recognises(token: string): boolean;
  /**
   * The caller `token` stands for. Throws the ApiError GitHub answers when it stands for none (`badCredentials()`,
   * an expired or badly signed JWT's 401, a suspended account's 403).
   */
  resolve(token: string, env: TokenEnvironment): Promise<Caller>;
}
