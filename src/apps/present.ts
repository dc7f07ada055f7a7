import type { Account } from '../accounts/store.js';
import type { components } from '../generated/openapi.js';
import { nodeId, type Urls } from '../http/urls.js';
import { simpleUser } from '../users/present.js';
import { eventsOf, permissionsOf, type AppRow, type InstallationRow } from './store.js';

type Schemas = components['schemas'];
type Integration = NonNullable<Schemas['integration']>;
type AppPermissions = Schemas['app-permissions'];

const appPermissions = (row: { permissions: string }) => permissionsOf(row) as AppPermissions;

/** `GET /app`: the app, as `integration`. */
export function integration(urls: Urls, app: AppRow, owner: Account, installationsCount?: number): Integration {
  return {
    id: app.id,
    slug: app.slug,
    node_id: nodeId('Integration', app.id),
    client_id: app.client_id,
    owner: simpleUser(urls, owner),
    name: app.name,
    description: app.description,
    external_url: app.url,
    html_url: `${urls.html}/apps/${app.slug}`,
    created_at: app.created_at,
    updated_at: app.updated_at,
    permissions: permissionsOf(app) as Integration['permissions'],
    events: eventsOf(app),
    ...(installationsCount === undefined ? {} : { installations_count: installationsCount }),
  };
}

/** What `POST /app-manifests/{code}/conversions` answers (and `POST /admin/apps`): the app and its secrets, shown once. */
export function manifestConversion(urls: Urls, app: AppRow, owner: Account, secrets: { clientSecret: string; pem: string }) {
  return {
    ...integration(urls, app, owner),
    client_secret: secrets.clientSecret,
    webhook_secret: app.webhook_secret,
    pem: secrets.pem,
  };
}

/** The accounts an installation shows: its org and whoever suspended it. */
export interface InstallationAccounts {
  org: Account;
  suspendedBy: Account | undefined;
}

export function installation(urls: Urls, row: InstallationRow, app: Pick<AppRow, 'id' | 'slug' | 'client_id'>, accounts: InstallationAccounts): Schemas['installation'] {
  return {
    id: row.id,
    account: simpleUser(urls, accounts.org),
    repository_selection: row.repository_selection,
    access_tokens_url: `${urls.api}/app/installations/${row.id}/access_tokens`,
    repositories_url: `${urls.api}/installation/repositories`,
    html_url: `${urls.html}/organizations/${accounts.org.login}/settings/installations/${row.id}`,
    app_id: app.id,
    client_id: app.client_id,
    target_id: accounts.org.id,
    target_type: 'Organization',
    permissions: appPermissions(row),
    events: eventsOf(row),
    created_at: row.created_at,
    updated_at: row.updated_at,
    single_file_name: null,
    has_multiple_single_files: false,
    single_file_paths: [],
    app_slug: app.slug,
    suspended_by: accounts.suspendedBy ? simpleUser(urls, accounts.suspendedBy) : null,
    suspended_at: row.suspended_at,
  };
}

/** `installation` in the payloads an app receives: which of its installations the event is about. */
export const installationReference = (id: number) => ({ id, node_id: nodeId('IntegrationInstallation', id) });
