import type { Kysely, Selectable } from 'kysely';
import type { CustomRoleTable, Database } from '../db/schema.js';

export type CustomRoleRow = Selectable<CustomRoleTable>;

export async function findCustomRoleNamed(db: Kysely<Database>, orgId: number, name: string): Promise<CustomRoleRow | undefined> {
  return db.selectFrom('custom_roles').selectAll().where('org_id', '=', orgId).where('name_lower', '=', name.toLowerCase()).executeTakeFirst();
}

export async function insertCustomRole(
  db: Kysely<Database>,
  input: { orgId: number; name: string; description: string | null; baseRole: CustomRoleRow['base_role']; permissions: string[]; now: string },
): Promise<CustomRoleRow> {
  return db
    .insertInto('custom_roles')
    .values({
      org_id: input.orgId,
      name: input.name,
      name_lower: input.name.toLowerCase(),
      description: input.description,
      base_role: input.baseRole,
      permissions: JSON.stringify(input.permissions),
      created_at: input.now,
      updated_at: input.now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** An org has a handful of custom roles (GitHub caps them), so the list is answered whole. */
export async function listCustomRoles(db: Kysely<Database>, orgId: number): Promise<CustomRoleRow[]> {
  return db.selectFrom('custom_roles').selectAll().where('org_id', '=', orgId).orderBy('id').execute();
}
