import { sql, type Kysely } from 'kysely';

/** Invitations by email find the user with that address (case-insensitive) without scanning every account. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('accounts_email_lower').on('accounts').expression(sql`lower(email)`).execute();
}

export async function down(): Promise<void> {
  // Forward-only.
}
