import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { Kysely } from 'kysely';
import { openStore } from '../src/db/connect.js';
import { migrateTo, migrateToLatest } from '../src/db/migrate.js';
import { freshDatabase, suiteStore } from './support/server.js';

describe(`migrations on ${suiteStore}`, () => {
  it('007_hook_payloads: deliveries recorded before it keep their payloads, and later payloads get new ids', async () => {
    const database = await freshDatabase();
    const store = openStore(database.url);
    after(async () => {
      await store.close();
      await database.drop();
    });
    await migrateTo(store, '005_webhooks');
    const delivery = (guid: string, payload: string) => ({
      hook_id: 1, guid, event: 'ping', action: null, redelivery: 0, url: 'http://127.0.0.1:9/', content_type: 'json',
      insecure_ssl: '0', secret: null, target_id: 1, payload, state: 'done', claimed_until: null, created_at: '2026-01-01T00:00:00Z',
    });
    // The tables as 005 left them, before the schema's types knew of payload_id.
    const db = store.db as unknown as Kysely<any>;
    await db.insertInto('hook_deliveries').values([delivery('a', '{"zen":"one"}'), delivery('b', '{"zen":"two"}')]).execute();

    await migrateToLatest(store);
    const rows = await store.db
      .selectFrom('hook_deliveries')
      .innerJoin('hook_payloads', 'hook_payloads.id', 'hook_deliveries.payload_id')
      .select(['hook_deliveries.guid', 'hook_payloads.payload'])
      .orderBy('hook_deliveries.id')
      .execute();
    assert.deepEqual(rows, [{ guid: 'a', payload: '{"zen":"one"}' }, { guid: 'b', payload: '{"zen":"two"}' }]);
    const added = await store.db.insertInto('hook_payloads').values({ payload: '{}', created_at: '2026-01-02T00:00:00Z' }).returning('id').executeTakeFirstOrThrow();
    assert.equal(added.id, 3);
  });
});
