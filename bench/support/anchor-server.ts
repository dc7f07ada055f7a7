/**
 * The anchors of bench/working-set.ts: Fastify routes that do the least a server can do for an answer, in their
 * own process, on the benchmark's database through the driver orghub uses (better-sqlite3 or pg).
 * Configured by BENCH_ANCHOR (JSON, see AnchorSpec):
 * - `read`: one query per request (a prepared better-sqlite3 statement, or one named `pg` query), its row(s)
 *   serialized through the operation's response schema, as Fastify serializes orghub's answers;
 * - `write`: the SQL statements orghub ran for one such request (captured by the benchmark), replayed in one
 *   transaction per request with this request's values.
 */
import SQLite from 'better-sqlite3';
import Fastify from 'fastify';
import pg from 'pg';
import { Urls } from '../../src/http/urls.js';
import { orgMembership } from '../../src/memberships/present.js';
import { organizationFull, organizationSimple } from '../../src/orgs/present.js';
import { hashToken } from '../../src/tokens/store.js';
import { publicUser, simpleUser } from '../../src/users/present.js';

/** A bound value: a literal, a variable of the request (`{ v: 'orgId' }`), or a string with `{{name}}` slots. */
export type BoundValue = string | number | null | { v: string } | { t: string };

export interface AnchorSpec {
  database: string;
  method: 'GET' | 'PUT' | 'PATCH';
  /** Fastify route, e.g. `/orgs/:org`. */
  route: string;
  kind: 'read' | 'write';
  /** read: the query (`?` placeholders for SQLite, `$n` for PostgreSQL), its values and whether it answers rows or one row. */
  sql?: string;
  values?: BoundValue[];
  many?: boolean;
  /** write: the statements, in order, run in one transaction. */
  statements?: { sql: string; values: BoundValue[] }[];
  /** Response schema of the 200 answer (Fastify's serializer). */
  schema?: unknown;
  /** read: how the row(s) become the answer orghub sends (its own presenters, each resource's present.ts), so both send the same body. */
  present?: keyof typeof presenters;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyRow = any;
/** The bases the answers' URLs are built on: this anchor's own address (as long as orghub's), once it listens. */
const urls = new Urls('http://127.0.0.1');
/** Rows (the anchor's query) to the body orghub answers with; no database work, only what orghub's presenters do. */
const presenters = {
  // The owner's view of the org, with the counters its query reads alongside.
  'organization-full': (row: AnyRow) =>
    organizationFull(urls, row, { showPrivate: true, version: '2022-11-28', counts: { collaborators: Number(row.c_collaborators), filledSeats: Number(row.c_filled_seats) } }),
  'simple-users': (rows: AnyRow[]) => rows.map((row) => simpleUser(urls, row)),
  'public-user': (row: AnyRow) => publicUser(urls, row),
  'organization-simples': (rows: AnyRow[]) => rows.map((row) => organizationSimple(urls, row)),
  'org-membership': (row: AnyRow) =>
    orgMembership(urls, { id: row.o_id, login: row.o_login, description: row.o_description }, { id: row.u_id, login: row.u_login, type: row.u_type, site_admin: row.u_site_admin }, row),
};

const spec: AnchorSpec = JSON.parse(process.env.BENCH_ANCHOR ?? '{}');
const isPostgres = spec.database.startsWith('postgres');

/**
 * Variables: route params by name, `tokenHash` (of the bearer token), `now` (ISO seconds) and whatever the
 * benchmark's client sends in the `x-bench-values` header (ids it knows from seeding, new values of a write).
 */
function variables(request: { params: unknown; headers: Record<string, string | string[] | undefined> }): Record<string, string | number> {
  const vars: Record<string, string | number> = { ...(request.params as Record<string, string>) };
  const auth = request.headers.authorization;
  if (typeof auth === 'string') vars.tokenHash = hashToken(auth.replace(/^(Bearer|token) /i, ''));
  vars.now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const extra = request.headers['x-bench-values'];
  if (typeof extra === 'string') Object.assign(vars, JSON.parse(extra));
  return vars;
}

function bind(values: BoundValue[], vars: Record<string, string | number>): unknown[] {
  return values.map((value) => {
    if (value === null || typeof value !== 'object') return value;
    if ('v' in value) {
      if (!(value.v in vars)) throw new Error(`no value for ${value.v}`);
      return vars[value.v];
    }
    return value.t.replace(/\{\{(\w+)\}\}/g, (_, name: string) => String(vars[name]));
  });
}

type Runner = (vars: Record<string, string | number>) => Promise<unknown> | unknown;

function sqliteRunner(): Runner {
  const sqlite = new SQLite(spec.database.slice('sqlite:'.length));
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  if (spec.kind === 'read') {
    const statement = sqlite.prepare(spec.sql!);
    return (vars) => (spec.many ? statement.all(bind(spec.values ?? [], vars)) : statement.get(bind(spec.values ?? [], vars)));
  }
  const statements = spec.statements!.map((s) => ({ statement: sqlite.prepare(s.sql), values: s.values }));
  // orghub's SQLite transactions take the write lock at their start (src/db/sqlite-dialect.ts).
  const begin = sqlite.prepare('begin immediate');
  const commit = sqlite.prepare('commit');
  const rollback = sqlite.prepare('rollback');
  return (vars) => {
    begin.run();
    try {
      for (const { statement, values } of statements) {
        if (statement.reader) statement.all(bind(values, vars));
        else statement.run(bind(values, vars));
      }
      commit.run();
    } catch (error) {
      rollback.run();
      throw error;
    }
    return {};
  };
}

function postgresRunner(): Runner {
  // The pool size orghub uses (src/db/connect.ts).
  const pool = new pg.Pool({ connectionString: spec.database, max: 10 });
  if (spec.kind === 'read') {
    const query = { name: 'anchor', text: spec.sql! };
    return async (vars) => {
      const { rows } = await pool.query({ ...query, values: bind(spec.values ?? [], vars) });
      return spec.many ? rows : rows[0];
    };
  }
  return async (vars) => {
    const client = await pool.connect();
    try {
      await client.query('begin');
      // Named, as orghub runs its repeated statements on PostgreSQL (src/db/pg-statements.ts).
      for (const [i, { sql, values }] of spec.statements!.entries()) await client.query({ name: `anchor_${i}`, text: sql, values: bind(values, vars) });
      await client.query('commit');
    } catch (error) {
      await client.query('rollback');
      throw error;
    } finally {
      client.release();
    }
    return {};
  };
}

const run = isPostgres ? postgresRunner() : sqliteRunner();
const app = Fastify({ logger: false });
let reported = false;
// The first failure says why (the benchmark then stops: its figures would not be valid).
app.addHook('onError', async (_request, _reply, error) => {
  if (!reported) process.stderr.write(`anchor: ${error.stack ?? error.message}\n`);
  reported = true;
});
app.route({
  method: spec.method,
  url: spec.route,
  schema: spec.schema ? { response: { 200: spec.schema } } : undefined,
  handler: async (request) => {
    const result = await run(variables(request));
    // A row the benchmark did not seed: a failed request, never a fast empty answer.
    if (result === undefined) throw Object.assign(new Error('Not Found'), { statusCode: 404 });
    return spec.present ? presenters[spec.present](result as AnyRow) : result;
  },
});
const url = await app.listen({ port: 0, host: '127.0.0.1' });
urls.setBase(url);
process.stdout.write(`anchor listening on ${url}\n`);
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
