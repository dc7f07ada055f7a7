import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';

/** How often the background connection copies the WAL back into the database file. */
const CHECKPOINT_MS = 100;
/** SQLite's own default, restored if the background connection fails. */
const AUTO_CHECKPOINT_PAGES = 1000;

/**
 * The checkpointing thread: its own connection to the file, a passive checkpoint every `ms` (never waiting for a
 * lock: another process's checkpoint in the way just means next time), closed on 'stop'. Any other failure ends the
 * thread, so that the serving connection checkpoints itself again rather than let the WAL grow.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const SQLite = require(workerData.driver);
const db = new SQLite(workerData.path, { fileMustExist: true });
const checkpoint = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    if (error.code !== 'SQLITE_BUSY') throw error;
  }
};
const timer = setInterval(checkpoint, workerData.ms);
parentPort.on('message', () => { clearInterval(timer); checkpoint(); db.close(); parentPort.close(); });
`;

/**
 * Moves WAL checkpoints off the serving thread. SQLite runs them inside the commit that crosses 1,000 WAL pages,
 * synchronously: copying pages back and syncing the file stalled the event loop for milliseconds at a time, every
 * few hundred writes (the writes' p99). Commits stay as durable as before (`synchronous = NORMAL`: the WAL holds
 * them); only the copy moves. If the thread cannot start or fails, the connection checkpoints itself again.
 */
export function checkpointInBackground(sqlite: SQLite.Database, path: string): { stop(): Promise<void> } {
  sqlite.pragma('wal_autocheckpoint = 0');
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path, driver, ms: CHECKPOINT_MS } });
  worker.unref();
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  let stopping = false;
  const fallBack = () => {
    if (!stopping && sqlite.open) sqlite.pragma(`wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`);
  };
  worker.once('error', fallBack);
  worker.once('exit', fallBack);
  return {
    stop() {
      stopping = true;
      worker.ref(); // the wait for its exit keeps the process alive
      worker.postMessage('stop');
      return exited;
    },
  };
}
