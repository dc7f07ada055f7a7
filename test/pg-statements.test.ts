import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { openStore, type Store } from '../src/db/connect.js';
import { MAX_NAMED_STATEMENTS } from '../src/db/pg-statements.js';
import { freshDatabase, onPostgres, type FreshDatabase } from './support/server.js';

const probe = (db: Kysely<any>, id: number) => sql<Record<string, unknown>>`select * from probe where id = ${id}`.execute(db).then((r) => r.rows);
const preparedCount = (db: Kysely<any>, pattern = 'select % from probe where %') =>
  sql<{ n: number }>`select count(*)::int as n from pg_prepared_statements where statement like ${pattern}`.execute(db).then((r) => r.rows[0]!.n);

describe('named prepared statements on PostgreSQL', { skip: !onPostgres }, () => {
  let database: FreshDatabase;
  let store: Store;
  before(async () => {
    database = await freshDatabase();
    store = openStore(database.url);
  });
  after(async () => {
    await store.close();
    await database.drop();
  });

  it('a connection lost while checked out, between statements, fails that work only: the process does not crash', async () => {
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      await assert.rejects(
        store.db.connection().execute(async (db) => {
          const [{ pid }] = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db)).rows;
          await admin.query('select pg_terminate_backend($1)', [pid]);
          // The server's goodbye reaches the client while it runs no query (as between a transaction's statements).
          await new Promise((resolve) => setTimeout(resolve, 300));
          await sql`select 1`.execute(db);
        }),
      );
      assert.deepEqual((await sql<{ one: number }>`select 1 as one`.execute(store.db)).rows, [{ one: 1 }]);
    } finally {
      await admin.end();
    }
  });

  it('a repeated text is prepared once per connection and answers as before', async () => {
    await sql`create table probe (id int primary key, label text)`.execute(store.db);
    await sql`insert into probe values (1, 'one'), (2, 'two')`.execute(store.db);
    await store.db.connection().execute(async (db) => {
      for (let run = 0; run < 5; run++) assert.deepEqual(await probe(db, 1 + (run % 2)), [{ id: 1 + (run % 2), label: run % 2 ? 'two' : 'one' }]);
      assert.equal(await preparedCount(db), 1);
    });
  });

  it('once a connection has described a named text, it runs without describing it again, rows unchanged', async () => {
    await sql`create table typed (id int8 primary key, flag bool, at timestamptz, doc jsonb, label text)`.execute(store.db);
    await sql`insert into typed values (1, true, '2026-01-02T03:04:05Z', '{"a":[1]}', 'one'), (2, null, null, null, null)`.execute(store.db);
    const typed = (db: Kysely<any>, from: number) => sql<Record<string, unknown>>`select * from typed where id >= ${from} order by id`.execute(db).then((r) => r.rows);
    const expected = [
      { id: 1, flag: true, at: new Date('2026-01-02T03:04:05Z'), doc: { a: [1] }, label: 'one' },
      { id: 2, flag: null, at: null, doc: null, label: null },
    ];
    const connectionPrototype = (pg as unknown as { Connection: { prototype: { emit(event: string, ...rest: unknown[]): boolean } } }).Connection.prototype;
    const emit = connectionPrototype.emit;
    let descriptions = 0;
    connectionPrototype.emit = function (event: string, ...rest: unknown[]) {
      if (event === 'rowDescription') descriptions++;
      return emit.call(this, event, ...rest);
    };
    try {
      await store.db.connection().execute(async (db) => {
        for (let run = 0; run < 6; run++) assert.deepEqual(await typed(db, 1), expected);
      });
    } finally {
      connectionPrototype.emit = emit;
    }
    // Two unnamed runs and the named text's first run describe their columns; the three later runs do not.
    assert.equal(descriptions, 3);
  });

  it('after a schema change alters its columns, a text runs again; only a transaction that meets the change fails', async () => {
    await store.db.connection().execute(async (db) => {
      for (let run = 0; run < 3; run++) await probe(db, 1);
      await sql`alter table probe add column note text`.execute(db);
      assert.deepEqual(await probe(db, 1), [{ id: 1, label: 'one', note: null }]);
      for (let run = 0; run < 3; run++) await probe(db, 2);
      await sql`alter table probe drop column note`.execute(db);
      await assert.rejects(db.transaction().execute((trx) => probe(trx, 2)), { code: '0A000' });
      assert.deepEqual(await db.transaction().execute((trx) => probe(trx, 2)), [{ id: 2, label: 'two' }]);
    });
  });

  it(`texts binding many values stay unnamed, and at most ${MAX_NAMED_STATEMENTS} texts are named`, async () => {
    await store.db.connection().execute(async (db) => {
      const ids = Array.from({ length: 100 }, (_, i) => i);
      for (let run = 0; run < 5; run++) await sql`select id from probe where id in (${sql.join(ids)})`.execute(db);
      assert.equal(await preparedCount(db, 'select id from probe where id in %'), 0);
      for (let text = 0; text <= MAX_NAMED_STATEMENTS; text++) {
        for (let run = 0; run < 3; run++) await sql`select id from probe where id = ${text} and label <> ${sql.lit(`text ${text}`)}`.execute(db);
      }
      assert.ok((await preparedCount(db)) <= MAX_NAMED_STATEMENTS);
    });
  });
});
