import type { Account } from '../accounts/store.js';
import type { components } from '../generated/openapi.js';
import type { Urls } from '../http/urls.js';
import { simpleUser } from '../users/present.js';
import type { CustomRoleRow } from './store.js';

type CustomRepositoryRole = components['schemas']['organization-custom-repository-role'];

export function customRepositoryRole(urls: Urls, org: Account, row: CustomRoleRow): CustomRepositoryRole {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    base_role: row.base_role,
    permissions: JSON.parse(row.permissions) as string[],
    organization: simpleUser(urls, org),
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}
