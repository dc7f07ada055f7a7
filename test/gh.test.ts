import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startOrghubProcess, stopAllProcesses, type OrghubProcess } from './support/processes.js';
import { ADMIN_TOKEN, apiClient, freshDatabase, type ApiClient, type FreshDatabase } from './support/server.js';
import { fetchTrusting } from './support/tls.js';

// GitHub CLI against `orghub --tls` exactly as README's recipe runs it: GH_HOST + GH_ENTERPRISE_TOKEN, SSL_CERT_FILE.
const ghMissing = spawnSync('gh', ['--version']).error
  ? 'gh (GitHub CLI) is not on PATH: these tests are skipped (Debian: apt-get install gh; .ci/run installs it)'
  : false;

let orghub: OrghubProcess;
let api: ApiClient;
let db: FreshDatabase;
let trustFile: string;
let ghConfigDir: string;
let cwd: string;
const members = ['gh-m1', 'gh-m2', 'gh-m3', 'gh-m4'];

before(async () => {
  if (ghMissing) return;
  db = await freshDatabase();
  cwd = mkdtempSync(join(tmpdir(), 'orghub-gh-'));
  ghConfigDir = mkdtempSync(join(tmpdir(), 'orghub-gh-config-'));
  orghub = await startOrghubProcess(['--tls', '--port', '0'], { cwd, env: { ORGHUB_DATABASE_URL: db.url, ORGHUB_ADMIN_TOKEN: ADMIN_TOKEN } });
  [, trustFile] = await orghub.waitFor(/SSL_CERT_FILE=(\S+)/);
  api = apiClient(() => orghub.url, fetchTrusting(readFileSync(trustFile, 'utf8')));
  await api.createOrg('gh-org');
  const owner = api.octokit(ADMIN_TOKEN);
  for (const login of members) {
    const user = await api.createUser(login);
    await owner.rest.orgs.setMembershipForUser({ org: 'gh-org', username: login, role: 'member' });
    await user.octokit.rest.orgs.updateMembershipForAuthenticatedUser({ org: 'gh-org', state: 'active' });
  }
});

after(async () => {
  if (ghMissing) return;
  await stopAllProcesses();
  await db.drop();
  for (const dir of [cwd, ghConfigDir]) rmSync(dir, { recursive: true, force: true });
});

interface GhResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs gh with README's settings for orghub (`env` on top); no GH_* or GITHUB_* setting of the caller leaks in. */
function gh(args: string[], options: { token?: string; env?: Record<string, string | undefined> } = {}): Promise<GhResult> {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(GH_|GITHUB_|SSL_CERT_)/.test(name)));
  const env = {
    ...inherited,
    SSL_CERT_FILE: trustFile,
    GH_HOST: new URL(orghub.url).host,
    GH_ENTERPRISE_TOKEN: options.token ?? ADMIN_TOKEN,
    GH_CONFIG_DIR: ghConfigDir,
    GH_NO_UPDATE_NOTIFIER: '1',
    GH_PROMPT_DISABLED: '1',
    NO_COLOR: '1',
    ...options.env,
  };
  return new Promise((resolve) => {
    execFile('gh', args, { env, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

const ok = (result: GhResult) => assert.equal(result.code, 0, `gh exited ${result.code}:\n${result.stdout}\n${result.stderr}`);

describe('gh (GitHub CLI) with GH_HOST, GH_ENTERPRISE_TOKEN and SSL_CERT_FILE on orghub --tls', { skip: ghMissing, timeout: 120_000 }, () => {
  describe('gh auth status (GET /api/v3/ for X-OAuth-Scopes, then POST /api/graphql viewer { login })', () => {
    it("reports the host, the token's login and its scopes", async () => {
      const result = await gh(['auth', 'status']);
      ok(result);
      const host = new URL(orghub.url).host;
      assert.match(result.stderr, new RegExp(`Logged in to ${host.replace(/\./g, '\\.')} as admin \\(GH_ENTERPRISE_TOKEN\\)`));
      assert.match(result.stderr, /Token scopes: .*admin:org/);
      assert.match(result.stderr, /Token scopes: .*repo/);
    });

    it('fails naming the missing scope when the token lacks repo, which gh requires', async () => {
      const { token } = await api.createUser('gh-reader', { scopes: ['read:org'] });
      const result = await gh(['auth', 'status'], { token });
      assert.equal(result.code, 1);
      assert.match(result.stderr, /missing required scope 'repo'/);
    });

    it('fails for a token orghub does not know', async () => {
      const result = await gh(['auth', 'status'], { token: 'ghp_unknownToken0000000000000000000000' });
      assert.equal(result.code, 1);
      assert.match(result.stderr, /authentication failed|no longer valid/);
    });
  });

  describe('gh api (REST under /api/v3)', () => {
    it('GET /orgs/{org}', async () => {
      const result = await gh(['api', '/orgs/gh-org']);
      ok(result);
      const org = JSON.parse(result.stdout);
      assert.equal(org.login, 'gh-org');
      assert.ok(org.url.startsWith(`${orghub.url}/`), org.url);
    });

    it('--paginate follows the Link headers through every page of GET /orgs/{org}/members', async () => {
      const result = await gh(['api', '--paginate', '/orgs/gh-org/members?per_page=2', '--jq', '.[].login']);
      ok(result);
      const expected = (await api.octokit(ADMIN_TOKEN).paginate(api.octokit(ADMIN_TOKEN).rest.orgs.listMembers, { org: 'gh-org' })).map((m) => m.login);
      assert.equal(expected.length, members.length + 1, 'the owner and the four members: three pages of two');
      assert.deepEqual(result.stdout.trim().split('\n'), expected);
    });

    it('-X PATCH /orgs/{org} -f description=… changes the org', async () => {
      const result = await gh(['api', '-X', 'PATCH', '/orgs/gh-org', '-f', 'description=Set by gh']);
      ok(result);
      assert.equal(JSON.parse(result.stdout).description, 'Set by gh');
      assert.equal((await api.octokit(ADMIN_TOKEN).rest.orgs.get({ org: 'gh-org' })).data.description, 'Set by gh');
    });

    it('refuses the server when SSL_CERT_FILE does not name its CA: the certificate really is verified', async () => {
      const result = await gh(['api', '/orgs/gh-org'], { env: { SSL_CERT_FILE: join(ghConfigDir, 'no-such-file.pem') } });
      assert.notEqual(result.code, 0);
      assert.match(result.stderr, /x509|certificate/);
    });
  });

  describe('gh api graphql (POST /api/graphql)', () => {
    it("-f query='{viewer{login}}' answers the token's login", async () => {
      const result = await gh(['api', 'graphql', '-f', 'query={viewer{login}}']);
      ok(result);
      assert.deepEqual(JSON.parse(result.stdout), { data: { viewer: { login: 'admin' } } });
    });
  });
});
