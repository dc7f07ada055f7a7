import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { sleep } from './support/concurrency.js';
import { onPostgres, startTestServer } from './support/server.js';

/**
 * The logins in a copy of the database file alone, without its WAL: what has been checkpointed into the file.
 * A copy taken while a checkpoint writes may be torn: then none is known yet.
 */
function loginsInFile(path: string, scratch: string): string[] {
  const copy = join(scratch, `copy-${Date.now()}.db`);
  copyFileSync(path, copy);
  try {
    const db = new SQLite(copy, { readonly: true });
    try {
      return db.prepare('select login from accounts').pluck().all() as string[];
    } finally {
      db.close();
    }
  } catch {
    return [];
  } finally {
    rmSync(copy, { force: true });
  }
}

describe('SQLite WAL checkpoints', { skip: onPostgres && 'SQLite run only' }, () => {
  it('copies committed writes back into the database file in the background, without waiting for 1,000 WAL pages', async () => {
    const t = await startTestServer();
    const scratch = mkdtempSync(join(tmpdir(), 'orghub-checkpoint-'));
    try {
      const path = t.databaseUrl.slice('sqlite:'.length);
      // One small write: far below the 1,000 WAL pages after which SQLite's commit would checkpoint by itself.
      await t.createOrg('checkpointed-org');
      assert.ok(existsSync(`${path}-wal`), 'the store runs in WAL mode');
      let logins: string[] = [];
      for (const deadline = Date.now() + 10_000; Date.now() < deadline && !logins.includes('checkpointed-org'); await sleep(50)) {
        logins = loginsInFile(path, scratch);
      }
      assert.ok(logins.includes('checkpointed-org'), `the file alone holds the new org (found ${JSON.stringify(logins)})`);
    } finally {
      await t.close();
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
