import type { Kysely } from 'kysely';

/**
 * One counter that every change to what a token stands for moves, in the change's own transaction (src/http/auth/
 * authenticator.ts): each process checks it often and goes on trusting the tokens it looked up while it stands still.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('caller_generation')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('generation', 'integer', (c) => c.notNull())
    .execute();
  await db.insertInto('caller_generation').values({ id: 1, generation: 0 }).execute();
}

export async function down(): Promise<void> {
  // Forward-only.
}
