/** GitHub Apps in tests: registering and installing them (site-admin extensions) and clients authenticating as them. */
import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/rest';
import { SignJWT } from 'jose';
import { assertMatchesContract } from './openapi.js';
import { ADMIN_TOKEN, type TestServer } from './server.js';

/** What `POST /admin/apps` answers: the app, its secrets and private key. */
export interface RegisteredApp {
  id: number;
  slug: string;
  node_id: string;
  client_id: string;
  client_secret: string;
  webhook_secret: string;
  pem: string;
  owner: { login: string };
  permissions: Record<string, string>;
  events: string[];
}

let appCount = 0;

/** Registers an app owned by `owner` (`POST /admin/apps`, a manifest), with a hook at `hookUrl` when given. */
export async function registerApp(
  t: TestServer,
  owner: string,
  manifest: { name?: string; permissions?: Record<string, string>; events?: string[]; hookUrl?: string } = {},
): Promise<RegisteredApp> {
  const response = await t.request('POST', '/admin/apps', {
    token: ADMIN_TOKEN,
    body: {
      owner,
      name: manifest.name ?? `Test App ${++appCount}`,
      url: 'https://example.test/app',
      ...(manifest.hookUrl ? { hook_attributes: { url: manifest.hookUrl } } : {}),
      redirect_url: 'https://example.test/redirect',
      public: false,
      default_permissions: manifest.permissions ?? { members: 'read' },
      default_events: manifest.events ?? [],
    },
  });
  assert.equal(response.status, 201, response.text);
  return response.body as RegisteredApp;
}

/** Installs the app on `org` (`POST /admin/apps/{app_slug}/installations`); the installation's id. */
export async function installApp(t: TestServer, app: RegisteredApp, org: string, options: { repositories?: string[] } = {}): Promise<number> {
  const response = await t.request('POST', `/admin/apps/${app.slug}/installations`, {
    token: ADMIN_TOKEN,
    body: { org, ...(options.repositories ? { repository_selection: 'selected', repositories: options.repositories } : {}) },
  });
  assert.equal(response.status, 201, response.text);
  return response.body.id as number;
}

/** An unchanged @octokit/rest with @octokit/auth-app's `createAppAuth`, pointed at the test server; 2xx bodies checked against the contract. */
export function appOctokit(t: TestServer, app: RegisteredApp, installationId?: number): Octokit {
  const octokit = new Octokit({
    authStrategy: createAppAuth,
    auth: { appId: app.id, privateKey: app.pem, ...(installationId === undefined ? {} : { installationId }) },
    baseUrl: t.url,
    request: { retries: 0 },
  });
  octokit.hook.after('request', (response, options) => {
    assertMatchesContract(String(options.method), new URL(response.url).pathname, response.status, response.data);
  });
  return octokit;
}

/** An installation token as auth-app makes it (`POST /app/installations/{installation_id}/access_tokens`). */
export async function installationToken(t: TestServer, app: RegisteredApp, installationId: number): Promise<string> {
  const auth = createAppAuth({ appId: app.id, privateKey: app.pem, request: new Octokit({ baseUrl: t.url }).request });
  const { token } = await auth({ type: 'installation', installationId, refresh: true });
  return token;
}

/** A JWT signed with `pem` carrying exactly these claims (times in seconds), for the checks auth-app never fails. */
export async function signJwt(pem: string, claims: { iss?: string | number; iat?: number; exp?: number }): Promise<string> {
  return new SignJWT(claims as Record<string, unknown>).setProtectedHeader({ alg: 'RS256', typ: 'JWT' }).sign(createPrivateKey(pem));
}
