import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import pg from 'pg';

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
  /** The result columns of each name this connection has run (see ShapedQuery). */
  readonly #shapes = new Map<string, RowShape>();

  constructor(client: pg.PoolClient, names: StatementNames) {
    this.#client = client;
    this.#names = names;
    // A connection lost while checked out and between queries (a restart, DROP DATABASE … FORCE) emits 'error', which the
    // pool only listens for on idle clients: unheard, it would crash the process. Its next query fails instead, and the
    // pool drops it when it is released (no longer queryable).
    client.on('error', () => undefined);
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

  async #run(text: string, values: unknown[]): Promise<unknown> {
    // Texts without parameters go by the simple protocol, which also runs several statements in one text.
    const name = values.length > 0 && values.length <= MAX_NAMED_PARAMETERS ? this.#names.nameFor(text) : undefined;
    if (name === undefined) return this.#client.query(text, values);
    try {
      return await new Promise((resolve, reject) => {
        this.#client.query(new ShapedQuery(name, text, values, this.#shapes, (error, result) => (error ? reject(error) : resolve(result!))));
      });
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

/** A named statement's result columns on one connection: their names and pg's parser for each column's type. */
interface RowShape {
  names: string[];
  parsers: ((value: string) => unknown)[];
}

interface BackendMessage {
  fields: unknown[];
}

/** The parts of pg's Query (pg 8, lib/query.js; the version is pinned by package-lock.json) that ShapedQuery overrides or calls. */
declare class PgQueryInternals implements pg.Submittable {
  constructor(text: string, values: unknown[]);
  name: string;
  readonly text: string;
  readonly values: unknown[];
  readonly portal: string;
  readonly binary: boolean | undefined;
  readonly types: unknown;
  readonly rows: number | undefined;
  callback: ((error: Error | null, result?: PostgresQueryResult<unknown>) => void) | undefined;
  _canceledDueToError: Error | false;
  _result: { command: string | null; rowCount: number | null };
  submit(connection: pg.Connection): void;
  hasBeenParsed(connection: PgConnection): boolean;
  prepare(connection: PgConnection): void;
  _getRows(connection: PgConnection, rows: number | undefined): void;
  handleError(error: Error, connection: PgConnection): void;
}

interface PgConnection {
  submittedNamedStatements: Record<string, string>;
  parse(message: { text: string; name: string; types: unknown }): void;
  bind(message: { portal: string; statement: string; values: unknown[]; binary: boolean | undefined; valueMapper: unknown }): void;
  close(message: { type: 'S'; name: string }): void;
  sync(): void;
}

const PgQuery = pg.Query as unknown as typeof PgQueryInternals;
/** pg's conversion of bound values to wire text (Date, Buffer, arrays, JSON), as its own prepare() applies it. */
const { prepareValue } = (pg as unknown as { utils: { prepareValue: unknown } }).utils;

/**
 * A named statement that, once its connection has described the statement's columns, runs without asking for them
 * again: PostgreSQL then sends no RowDescription (several hundred bytes for a wide row), and pg neither parses one
 * nor rebuilds its row template, which cost a wide org read more than its data rows did. The columns cannot change
 * under a name: PostgreSQL refuses to run a prepared statement whose result columns a schema change altered
 * (isStaleResultType), and a name is never given to another text.
 */
class ShapedQuery extends PgQuery {
  readonly #shapes: Map<string, RowShape>;
  #shape: RowShape | undefined;
  readonly #rows: Record<string, unknown>[] = [];

  constructor(name: string, text: string, values: unknown[], shapes: Map<string, RowShape>, settle: (error: Error | null, result?: PostgresQueryResult<unknown>) => void) {
    // Given an object, pg copies it property descriptor by property descriptor; given a text and values, it takes them as they are.
    super(text, values);
    this.name = name;
    this.#shapes = shapes;
    this.#shape = shapes.get(this.name);
    // pg calls it with an error (handleError); handleReadyForQuery below calls it with the result.
    this.callback = settle;
  }

  override prepare(connection: PgConnection): void {
    if (!this.#shape) return super.prepare(connection);
    // pg's prepare() without `describe`.
    if (!this.hasBeenParsed(connection)) {
      connection.parse({ text: this.text, name: this.name, types: this.types });
      connection.submittedNamedStatements[this.name] = this.text;
    }
    try {
      connection.bind({ portal: this.portal, statement: this.name, values: this.values, binary: this.binary, valueMapper: prepareValue });
    } catch (error) {
      connection.close({ type: 'S', name: this.name });
      connection.sync();
      this.handleError(error as Error, connection);
      return;
    }
    this._getRows(connection, this.rows);
  }

  handleRowDescription(message: BackendMessage): void {
    const fields = message.fields as pg.FieldDef[];
    this.#shape = { names: fields.map((field) => field.name), parsers: fields.map((field) => pg.types.getTypeParser(field.dataTypeID, field.format === 'binary' ? 'binary' : 'text')) };
    this.#shapes.set(this.name, this.#shape);
  }

  handleDataRow(message: BackendMessage): void {
    if (this._canceledDueToError) return;
    const shape = this.#shape;
    const values = message.fields as (string | null)[];
    if (!shape || values.length !== shape.names.length) {
      this._canceledDueToError = new Error(`statement ${this.name} answered ${values.length} columns where ${shape?.names.length ?? 'none'} were described`);
      return;
    }
    const row: Record<string, unknown> = {};
    for (let i = 0; i < values.length; i++) row[shape.names[i]!] = values[i] === null ? null : shape.parsers[i]!(values[i]!);
    this.#rows.push(row);
  }

  handleReadyForQuery(connection: PgConnection): void {
    if (this._canceledDueToError) return this.handleError(this._canceledDueToError, connection);
    this.callback!(null, { command: this._result.command ?? undefined, rowCount: this._result.rowCount ?? undefined, rows: this.#rows } as PostgresQueryResult<unknown>);
  }
}
