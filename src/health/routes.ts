import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { ApiError } from '../http/errors.js';
import type { Operation } from '../http/operation.js';

/** Longer than a healthy database ever takes to answer `select 1`, short enough for a load balancer's probe. */
const DATABASE_TIMEOUT_MS = 2000;

/** Whether the database answers a trivial query within the timeout; the reason when it does not. */
async function databaseAnswers(db: Kysely<Database>): Promise<{ ok: true } | { ok: false; reason: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<{ ok: false; reason: string }>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, reason: `no answer within ${DATABASE_TIMEOUT_MS} ms` }), DATABASE_TIMEOUT_MS);
  });
  try {
    const query = sql`select 1`.execute(db).then(() => ({ ok: true }) as const);
    return await Promise.race([query, timeout]);
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `GET /_orghub/health`, for load balancers and test runners: 200 while the process is up and its database answers,
 * 503 otherwise. Not a GitHub operation: no token needed, never rate limited nor counted.
 */
const getHealth: Operation = {
  operationId: 'orghub/health',
  method: 'GET',
  path: '/_orghub/health',
  outsideApi: true,
  async handler(request, reply) {
    const { db, dialect } = request.server.ctx;
    // A probe's answer is about this moment: no cache along the way may keep it.
    reply.header('Cache-Control', 'no-store');
    const database = await databaseAnswers(db);
    if (!database.ok) {
      // The cause goes to the log, not to anonymous callers.
      request.log.warn({ reason: database.reason }, 'health: the database did not answer');
      throw new ApiError(503, 'The database is not answering.');
    }
    return { status: 'ok', database: dialect };
  },
};

export const healthOperations: Operation[] = [getHealth];
