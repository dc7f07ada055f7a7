import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import type pg from 'pg';

/** Runs of a text before it is named: one-off texts (migrations, lists of one length) stay unnamed. */
const RUNS_BEFORE_NAMING = 2;
/** Bulk texts (multi-row VALUES, long IN lists) bind more; planning is little of their cost and each length is its own text. */
const MAX_NAMED_PARAMETERS = 64;
/** Names per pool; every connection of the pool keeps a parsed and planned statement for each name it has run. */
export const MAX_NAMED_STATEMENTS = 300;
/** Unnamed texts whose runs are counted; when full, the counts start over. */
const MAX_COUNTED = 2000;

/**
 * A pool whose clients run repeated parameterized texts as named prepared statements, so that PostgreSQL parses
 * and plans them once per connection instead of on every run (Kysely sends every query unnamed).
 */
export function withNamedStatements(pool: pg.Pool): PostgresPool {
  const names = new StatementNames();
  const clients = new WeakMap<pg.PoolClient, NamingClient>();
  return {
    async connect() {
      const client = await pool.connect();
      let naming = clients.get(client);
      if (!naming) {
        naming = new NamingClient(client, names);
        clients.set(client, naming);
      }
      return naming;
    },
    end: () => pool.end(),
  };
}

class NamingClient implements PostgresPoolClient {
  readonly #client: pg.PoolClient;
  readonly #names: StatementNames;

  constructor(client: pg.PoolClient, names: StatementNames) {
    this.#client = client;
    this.#names = names;
  }

  query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>>;
  query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
  query(input: string | PostgresCursor<unknown>, parameters: ReadonlyArray<unknown> = []): unknown {
    if (typeof input !== 'string') return this.#client.query(input as unknown as pg.Submittable);
    return this.#run(input, parameters as unknown[]);
  }

  release() {
    this.#client.release();
  }

  async #run(text: string, values: unknown[]): Promise<pg.QueryResult> {
    // Texts without parameters go by the simple protocol, which also runs several statements in one text.
    const name = values.length > 0 && values.length <= MAX_NAMED_PARAMETERS ? this.#names.nameFor(text) : undefined;
    if (name === undefined) return this.#client.query(text, values);
    try {
      return await this.#client.query({ name, text, values });
    } catch (error) {
      if (!isStaleResultType(error)) throw error;
      this.#names.forget(text, name);
      // Refused at bind, before it ran: outside a transaction nothing was done, so the text runs again unnamed.
      if (this.#client.getTransactionStatus() !== 'I') throw error;
      return this.#client.query(text, values);
    }
  }
}

/** PostgreSQL refuses a prepared statement whose result columns a schema change (another process's migration) altered. */
function isStaleResultType(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { code, routine } = error as Error & { code?: string; routine?: string };
  return code === '0A000' && routine === 'RevalidateCachedQuery';
}

/** Statement names by SQL text, given once a text has run RUNS_BEFORE_NAMING times, at most MAX_NAMED_STATEMENTS per pool. */
class StatementNames {
  readonly #named = new Map<string, string>();
  readonly #runs = new Map<string, number>();
  #issued = 0;

  nameFor(text: string): string | undefined {
    const name = this.#named.get(text);
    if (name !== undefined || this.#issued >= MAX_NAMED_STATEMENTS) return name;
    const runs = (this.#runs.get(text) ?? 0) + 1;
    if (runs <= RUNS_BEFORE_NAMING) {
      if (runs === 1 && this.#runs.size >= MAX_COUNTED) this.#runs.clear();
      this.#runs.set(text, runs);
      return undefined;
    }
    this.#runs.delete(text);
    const issued = `orghub_${++this.#issued}`;
    this.#named.set(text, issued);
    return issued;
  }

  /** Drops a name PostgreSQL refused, so that a later run names the text afresh (each connection parses it again). */
  forget(text: string, name: string): void {
    if (this.#named.get(text) === name) this.#named.delete(text);
  }
}
