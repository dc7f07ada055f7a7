import { sql } from 'kysely';
import { isoSeconds } from './clock.js';
import type { AppContext } from './context.js';
import { findAccount, insertAccount } from './accounts/store.js';
import { KNOWN_SCOPES } from './http/scopes.js';
import { findTokenOwner, generateToken, insertToken } from './tokens/store.js';

/** Every scope a classic token can hold, for the bootstrapped admin. */
const ADMIN_SCOPES = [...KNOWN_SCOPES].sort();

/** PostgreSQL advisory lock key of the bootstrap (any fixed number no other lock uses). */
const BOOTSTRAP_LOCK_ID = 0x6f726768;

export interface BootstrapResult {
  login: string;
  /** Set only when a token was created now and must be shown once (a random one). */
  generatedToken?: string;
}

/**
 * On an empty database: a site-admin user (`ORGHUB_ADMIN_LOGIN`) whose token is `ORGHUB_ADMIN_TOKEN`,
 * or a random `ghp_…` token returned to be printed once. A configured token unknown to an existing
 * database is attached to that admin, so the documented knob keeps working after the first start.
 */
export async function bootstrapAdmin(ctx: AppContext): Promise<BootstrapResult> {
  const { adminLogin, adminToken } = ctx.config;
  const now = isoSeconds(ctx.clock.now());
  return ctx.db.transaction().execute(async (trx) => {
    // Processes started together on an empty database create one admin: they take turns here (SQLite's write
    // transactions already do), and the later ones find the accounts the first created.
    if (ctx.dialect === 'postgres') await sql`select pg_advisory_xact_lock(${BOOTSTRAP_LOCK_ID})`.execute(trx);
    const anyAccount = await trx.selectFrom('accounts').select('id').limit(1).executeTakeFirst();
    if (!anyAccount) {
      const admin = await insertAccount(trx, { login: adminLogin, type: 'User', siteAdmin: true, now });
      const token = adminToken ?? generateToken();
      await insertToken(trx, admin.id, token, ADMIN_SCOPES, now);
      return { login: admin.login, generatedToken: adminToken ? undefined : token };
    }
    if (adminToken && !(await findTokenOwner(trx, adminToken))) {
      const admin = await findAccount(trx, adminLogin, 'User');
      if (admin?.site_admin) await insertToken(trx, admin.id, adminToken, ADMIN_SCOPES, now);
    }
    return { login: adminLogin };
  });
}
