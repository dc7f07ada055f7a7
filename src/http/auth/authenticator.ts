import { performance } from 'node:perf_hooks';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/schema.js';
import { badCredentials } from './errors.js';
import type { Caller } from './caller.js';
import type { PathNames, Resolved, TokenEnvironment, TokenKind } from './kind.js';
import { tokenKinds } from './kinds.js';

/** Tokens a process trusts at most; the oldest looked up is forgotten first. */
const MAX_TRUSTED = 50_000;
/** The longest a looked-up token is trusted: a change made straight in the database, not through orghub, is seen within it. */
const MAX_TRUST_MS = 300_000;

/** How often a process checks the caller generation, and how stale that check may get before tokens are looked up again. */
export interface TrustSettings {
  pollMs: number;
  staleAfterMs: number;
}

interface Trusted {
  caller: Caller;
  /** performance.now() after which the token is looked up again whatever the generation says. */
  expires: number;
}

/**
 * `Authorization: Bearer|token <token>` → the caller, or null for an anonymous request.
 *
 * A process trusts the tokens it looked up while the caller generation (table `caller_generation`) stands still. Every
 * change to what a token stands for (revoked tokens; a user renamed, suspended, promoted or deleted; an installation
 * suspended or removed) runs through `changeCallers`, which moves the generation in the change's transaction; each process
 * checks it every `pollMs` and forgets every token it trusts when it moved. So a change made through another process is
 * seen there within `pollMs`, one made through this process at once. If the check cannot be made for `staleAfterMs`,
 * tokens are looked up again on every request until it can.
 */
export class Authenticator {
  private trusted = new Map<string, Trusted>();
  // Lookups under way: requests with the same token (and path names) wait for the one lookup instead of each starting its own.
  private pending = new Map<string, Promise<Resolved>>();
  /** The highest generation known, and performance.now() when the latest check that read it started. */
  private generation = -1;
  private checkedAt = -Infinity;
  private checking = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private env: TokenEnvironment,
    private settings: TrustSettings,
    private kinds: readonly TokenKind[] = tokenKinds,
  ) {}

  /** Reads the generation, then checks it every `pollMs` until `close`. */
  async start(): Promise<void> {
    await this.check();
    // A failed check is tried again at the next; meanwhile trust lapses after `staleAfterMs`.
    this.timer = setInterval(() => void this.check().catch(() => undefined), this.settings.pollMs);
    this.timer.unref();
  }

  close(): void {
    clearInterval(this.timer);
  }

  /**
   * The caller, synchronously when the token is trusted in this process (the common case), else after a lookup,
   * which reads what the request's path `names` too where the token's kind can (Resolved).
   */
  authenticate(header: string | undefined, names: PathNames = {}): Caller | null | Promise<Resolved> {
    if (header === undefined || header === '') return null;
    const match = /^(?:bearer|token)\s+(\S+)\s*$/i.exec(header);
    if (!match) throw badCredentials();
    const token = match[1];
    const trusted = this.trusted.get(token);
    const now = performance.now();
    if (trusted && trusted.expires > now && now - this.checkedAt < this.settings.staleAfterMs && !this.expired(trusted.caller)) return trusted.caller;
    // Requests share a lookup only when it reads the same things for them (PathNames, the counters included).
    const key = names.org === undefined && names.username === undefined ? token : `${token}\u0000${names.org ?? ''}\u0000${names.username ?? ''}\u0000${names.orgCounts ? 1 : 0}`;
    let lookup = this.pending.get(key);
    if (!lookup) {
      lookup = this.lookUp(token, names).finally(() => this.pending.delete(key));
      this.pending.set(key, lookup);
    }
    return lookup;
  }

  /**
   * Runs `change` (which alters what some tokens stand for) in a transaction that moves the caller generation as its last
   * statement (so its row lock is the last one taken), then drops this process's trusted tokens.
   */
  async changeCallers<T>(change: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
    const { changed, generation } = await this.env.db.transaction().execute(async (trx) => {
      const result = await change(trx);
      const row = await trx
        .updateTable('caller_generation')
        .set((eb) => ({ generation: eb('generation', '+', 1) }))
        .where('id', '=', 1)
        .returning('generation')
        .executeTakeFirstOrThrow();
      return { changed: result, generation: Number(row.generation) };
    });
    this.advance(generation);
    return changed;
  }

  private expired(caller: Caller): boolean {
    return caller.expiresAt !== undefined && this.env.clock.now().getTime() >= caller.expiresAt;
  }

  private async lookUp(token: string, names: PathNames): Promise<Resolved> {
    const startedAt = performance.now();
    const generation = this.generation;
    const kind = this.kinds.find((candidate) => candidate.recognises(token));
    if (!kind) throw badCredentials();
    const resolved = await kind.resolve(token, this.env, names);
    // A generation that moved while the token was read may have changed what it read: used once, not trusted.
    if (generation === this.generation) {
      this.trusted.delete(token);
      if (this.trusted.size >= MAX_TRUSTED) this.trusted.delete(this.trusted.keys().next().value!);
      this.trusted.set(token, { caller: resolved.caller, expires: startedAt + MAX_TRUST_MS });
    }
    return resolved;
  }

  /** Reads the generation; a check still under way when the next is due is not doubled. */
  private async check(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    const startedAt = performance.now();
    try {
      this.advance(await readGeneration(this.env.db));
      this.checkedAt = Math.max(this.checkedAt, startedAt);
    } finally {
      this.checking = false;
    }
  }

  /** The generation moved: every trusted token is forgotten. */
  private advance(generation: number): void {
    // It only grows: a smaller value comes from a read that started before a change this process already knows of.
    if (generation <= this.generation) return;
    this.generation = generation;
    this.trusted.clear();
  }
}

async function readGeneration(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom('caller_generation').select('generation').where('id', '=', 1).executeTakeFirstOrThrow();
  return Number(row.generation);
}
