import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Octokit } from '@octokit/rest';
import pg from 'pg';
import { ManualClock, startServer, type ConfigInput, type RunningServer } from '../../src/index.js';
import { assertMatchesContract } from './openapi.js';

export const ADMIN_TOKEN = 'ghp_orghubTestAdminToken000000000000000';

/** Which store the suite runs on: `ORGHUB_DATABASE_URL=postgres://…` selects PostgreSQL, anything else SQLite. */
export const onPostgres = /^postgres(ql)?:\/\//.test(process.env.ORGHUB_DATABASE_URL ?? '');

/** The store the suite runs on, by name. */
export const suiteStore = onPostgres ? 'postgres' : 'sqlite';

export interface FreshDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A fresh, empty database of the suite's store: a new PostgreSQL database, or a SQLite file in a temp folder. */
export async function freshDatabase(): Promise<FreshDatabase> {
  if (onPostgres) {
    const adminUrl = process.env.ORGHUB_DATABASE_URL!;
    const name = `orghub_test_${randomBytes(6).toString('hex')}`;
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    await client.query(`CREATE DATABASE ${name}`);
    await client.end();
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    return {
      url: url.toString(),
      async drop() {
        const c = new pg.Client({ connectionString: adminUrl });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await c.end();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'orghub-test-'));
  return { url: `sqlite:${join(dir, 'orghub.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  body: any;
}

export interface TestUser {
  login: string;
  id: number;
  token: string;
  octokit: Octokit;
}

/** Clients of one running orghub; every 2xx body they receive is checked against the contract. */
export interface ApiClient {
  readonly url: string;
  /** An Octokit for `token`; `ghes` uses the `/api/v3` base URL. */
  octokit(token?: string, options?: { ghes?: boolean; version?: string }): Octokit;
  /** A raw HTTP request; 2xx bodies are checked against the contract. */
  request(method: string, path: string, options?: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> }): Promise<RawResponse>;
  /** A user (via the site-admin API) with a token of the given scopes. */
  createUser(login: string, options?: { scopes?: string[]; email?: string }): Promise<TestUser>;
  /** An organization whose first owner is `owner` (the site admin by default). */
  createOrg(login: string, owner?: string): Promise<{ login: string; id: number }>;
}

export interface TestServer extends ApiClient {
  server: RunningServer;
  clock: ManualClock;
  databaseUrl: string;
  admin: TestUser;
  /** Stops the server; `keepData` leaves the database for a restart. */
  close(options?: { keepData?: boolean }): Promise<void>;
  /** Stops and starts again on the same database. */
  restart(): Promise<void>;
}

export const ALL_SCOPES = ['admin:org', 'admin:org_hook', 'user', 'repo', 'security_events', 'read:audit_log'];

/**
 * Clients of the orghub at `baseUrl()` (asked on every call: a restarted server listens on another port).
 * `fetch`: how requests are sent (one that trusts a test CA for an HTTPS orghub).
 */
export function apiClient(baseUrl: () => string, fetch: typeof globalThis.fetch = globalThis.fetch): ApiClient {
  const client: ApiClient = {
    get url() {
      return baseUrl();
    },
    octokit(token, options = {}) {
      const octokit = new Octokit({
        auth: token,
        baseUrl: options.ghes ? `${baseUrl()}/api/v3` : baseUrl(),
        request: { retries: 0, fetch },
      });
      // Octokit's constructor takes no default headers: the version goes on each request.
      if (options.version) {
        const version = options.version;
        octokit.hook.before('request', (requestOptions) => {
          requestOptions.headers['x-github-api-version'] = version;
        });
      }
      octokit.hook.after('request', (response, requestOptions) => {
        const path = new URL(response.url).pathname;
        assertMatchesContract(String(requestOptions.method), path, response.status, response.data);
      });
      return octokit;
    },
    async request(method, path, options = {}) {
      const headers: Record<string, string> = { accept: 'application/vnd.github+json', ...options.headers };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      let body: string | undefined = options.rawBody;
      if (options.body !== undefined) {
        body = JSON.stringify(options.body);
        headers['content-type'] ??= 'application/json';
      }
      const response = await fetch(`${baseUrl()}${path}`, { method, headers, body, redirect: 'manual' });
      const text = await response.text();
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      assertMatchesContract(method, path, response.status, parsed);
      return { status: response.status, headers: response.headers, text, body: parsed };
    },
    async createUser(login, options = {}) {
      const admin = client.octokit(ADMIN_TOKEN);
      const { data: user } = await admin.request('POST /admin/users', { login, email: options.email ?? `${login.toLowerCase()}@example.test` });
      const { data: auth } = await admin.request('POST /admin/users/{username}/authorizations', {
        username: login,
        scopes: options.scopes ?? ALL_SCOPES,
      });
      return { login: user.login, id: Number(user.id), token: auth.token, octokit: client.octokit(auth.token) };
    },
    async createOrg(login, owner = 'admin') {
      const { data } = await client.octokit(ADMIN_TOKEN).request('POST /admin/organizations', { login, admin: owner });
      return { login: data.login, id: data.id };
    },
  };
  return client;
}

/**
 * Starts orghub in-process on a free port with a fresh database, a manual clock and a known admin token.
 * Every Octokit it hands out checks each 2xx body against the shared OpenAPI description.
 */
export async function startTestServer(config: ConfigInput = {}): Promise<TestServer> {
  const database = await freshDatabase();
  const clock = (config.clock as ManualClock | undefined) ?? new ManualClock('2026-01-15T12:00:00Z');
  const settings: ConfigInput = { databaseUrl: database.url, adminToken: ADMIN_TOKEN, clock, rateLimitFlushMs: 20, ...config };
  let server = await startServer({ port: 0, ...settings });
  const client = apiClient(() => server.url);

  const t: TestServer = {
    get url() {
      return server.url;
    },
    get server() {
      return server;
    },
    clock,
    databaseUrl: database.url,
    admin: undefined as unknown as TestUser,
    octokit: client.octokit,
    request: client.request,
    createUser: client.createUser,
    createOrg: client.createOrg,
    async close(options = {}) {
      await server.close();
      if (!options.keepData) await database.drop();
    },
    async restart() {
      await server.close();
      server = await startServer({ port: 0, ...settings });
    },
  };
  const { data: me } = await t.octokit(ADMIN_TOKEN).request('GET /user');
  t.admin = { login: me.login, id: Number(me.id), token: ADMIN_TOKEN, octokit: t.octokit(ADMIN_TOKEN) };
  return t;
}
