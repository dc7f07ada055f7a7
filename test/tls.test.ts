import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { generate } from 'selfsigned';
import { configFromEnv, resolveConfig, startServer, type ConfigInput, type RunningServer } from '../src/index.js';
import { spawnCli, startOrghubProcess, stopAllProcesses } from './support/processes.js';
import { ADMIN_TOKEN, apiClient, freshDatabase, onPostgres, type FreshDatabase } from './support/server.js';
import { fetchTrusting } from './support/tls.js';

const run = promisify(execFile);
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const curlMissing = spawnSync('curl', ['--version']).error ? 'curl is not on PATH: the curl --cacert test is skipped' : false;

const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  await stopAllProcesses();
  for (const cleanup of cleanups.reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'orghub-tls-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function database(): Promise<FreshDatabase> {
  const db = await freshDatabase();
  cleanups.push(() => db.drop());
  return db;
}

/** orghub in-process with TLS on `db`; closed after the file if the test does not close it. */
async function start(db: FreshDatabase, config: ConfigInput & { host?: string }): Promise<RunningServer> {
  const server = await startServer({ port: 0, databaseUrl: db.url, adminToken: ADMIN_TOKEN, ...config });
  cleanups.push(() => server.close());
  return server;
}

/** Clients of `server` that trust the PEM in `trustFile` (by default the file the server says to trust). */
const clientOf = (server: RunningServer, trustFile = server.tls!.trustFile) => apiClient(() => server.url, fetchTrusting(readFileSync(trustFile, 'utf8')));

const certificateIn = (file: string) => new X509Certificate(readFileSync(file));

describe('--tls (ORGHUB_TLS=1): HTTPS with a certificate generated on first start', { timeout: 60_000 }, () => {
  it('serves HTTPS, its base URL follows the scheme, and Octokit given the CA accepts it on both base URLs', async () => {
    const server = await start(await database(), { tls: true, tlsDir: tempDir() });
    assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const api = clientOf(server);
    const { data: me } = await api.octokit(ADMIN_TOKEN).rest.users.getAuthenticated();
    assert.equal(me.login, 'admin');
    assert.equal(me.url, `${server.url}/users/admin`);
    const { data: ghes } = await api.octokit(ADMIN_TOKEN, { ghes: true }).rest.users.getAuthenticated();
    assert.equal(ghes.login, 'admin');
    // A client that was not given the CA refuses the certificate: the connection really is verified TLS.
    await assert.rejects(fetch(`${server.url}/user`));
  });

  it('is accepted by curl --cacert, for 127.0.0.1 and for localhost', { skip: curlMissing }, async () => {
    const server = await start(await database(), { tls: true, tlsDir: tempDir() });
    const { port } = new URL(server.url);
    for (const host of ['127.0.0.1', 'localhost']) {
      const { stdout } = await run('curl', [
        '-sS', '--cacert', server.tls!.trustFile, '--resolve', `localhost:${port}:127.0.0.1`,
        '-H', `Authorization: Bearer ${ADMIN_TOKEN}`, '-w', '\n%{http_code}', `https://${host}:${port}/user`,
      ]);
      const [body, status] = stdout.split('\n');
      assert.equal(status, '200', host);
      assert.equal(JSON.parse(body).login, 'admin');
    }
  });

  it('is trusted by Node through NODE_EXTRA_CA_CERTS', async () => {
    const server = await start(await database(), { tls: true, tlsDir: tempDir() });
    const script = `fetch(process.argv[1], { headers: { authorization: 'Bearer ${ADMIN_TOKEN}' } }).then(async (r) => console.log(r.status, (await r.json()).login))`;
    const { stdout } = await run(process.execPath, ['-e', script, `${server.url}/user`], { env: { ...process.env, NODE_EXTRA_CA_CERTS: server.tls!.trustFile } });
    assert.equal(stdout.trim(), '200 admin');
  });

  it('is a server leaf for localhost, 127.0.0.1, ::1, the listening host and the base URL host, signed by a separate CA', async () => {
    const dir = tempDir();
    const server = await start(await database(), { tls: true, tlsDir: dir, host: '127.0.0.2', baseUrl: 'https://orghub.example.test/api/v3' });
    const leaf = new X509Certificate(server.tls!.cert);
    const ca = certificateIn(server.tls!.trustFile);
    for (const name of ['localhost', 'orghub.example.test']) assert.equal(leaf.checkHost(name, { wildcards: false }), name);
    for (const ip of ['127.0.0.1', '::1', '127.0.0.2']) assert.ok(leaf.checkIP(ip), ip);
    assert.equal(leaf.ca, false);
    assert.deepEqual(leaf.keyUsage, [SERVER_AUTH]);
    assert.equal(ca.ca, true);
    assert.ok(leaf.checkIssued(ca) && leaf.verify(ca.publicKey), 'the leaf is signed by the CA');
    assert.equal(server.tls!.trustFile, join(dir, 'ca.pem'));
    assert.equal(readFileSync(join(dir, 'cert.pem'), 'utf8'), server.tls!.cert);
    for (const key of ['key.pem', 'ca-key.pem']) assert.equal(statSync(join(dir, key)).mode & 0o077, 0, `${key} is readable by its owner only`);
    // The base URL names the host; the server still answers on the address it listens on.
    const { data } = await clientOf(server).octokit(ADMIN_TOKEN).rest.users.getAuthenticated();
    assert.equal(data.url, 'https://orghub.example.test/api/v3/users/admin');
  });

  it('is kept in tls/ beside the SQLite file, or in ./data/tls when the database is not a file, and its CA path printed', async () => {
    const cwd = tempDir();
    const db = await database();
    const databaseUrl = onPostgres ? db.url : `sqlite:${join(cwd, 'store', 'orghub.db')}`;
    const cli = await startOrghubProcess([], { cwd, env: { ORGHUB_TLS: '1', PORT: '0', ORGHUB_DATABASE_URL: databaseUrl, ORGHUB_ADMIN_TOKEN: ADMIN_TOKEN } });
    const trustFile = join(cwd, onPostgres ? 'data' : 'store', 'tls', 'ca.pem');
    assert.match(cli.url, /^https:\/\//);
    const [trustLine] = await cli.waitFor(/^Trust that CA with .*$/m);
    assert.ok(trustLine.includes(`SSL_CERT_FILE=${trustFile}`) && trustLine.includes(`NODE_EXTRA_CA_CERTS=${trustFile}`), trustLine);
    const api = apiClient(() => cli.url, fetchTrusting(readFileSync(trustFile, 'utf8')));
    assert.equal((await api.octokit(ADMIN_TOKEN).rest.users.getAuthenticated()).data.login, 'admin');
    assert.equal(await cli.stop(), 0);
  });

  it('is reused on a restart that serves the same names', async () => {
    const db = await database();
    const settings = { tls: true, tlsDir: tempDir() };
    const first = await start(db, settings);
    assert.equal(first.tls!.origin, 'generated');
    await first.close();
    const again = await start(db, settings);
    assert.equal(again.tls!.origin, 'reused');
    assert.equal(again.tls!.cert, first.tls!.cert);
    assert.equal((await clientOf(again).octokit(ADMIN_TOKEN).rest.users.getAuthenticated()).status, 200);
  });

  it('is replaced, by one signed by the same CA, when it does not cover a name served', async () => {
    const db = await database();
    const dir = tempDir();
    const first = await start(db, { tls: true, tlsDir: dir });
    const ca = readFileSync(first.tls!.trustFile, 'utf8');
    await first.close();
    const renamed = await start(db, { tls: true, tlsDir: dir, baseUrl: 'https://orghub.example.test' });
    assert.equal(renamed.tls!.origin, 'generated');
    assert.equal(new X509Certificate(renamed.tls!.cert).checkHost('orghub.example.test'), 'orghub.example.test');
    assert.equal(readFileSync(renamed.tls!.trustFile, 'utf8'), ca, 'the CA clients trust is kept');
    assert.equal((await clientOf(renamed).octokit(ADMIN_TOKEN).rest.users.getAuthenticated()).status, 200);
  });

  it('servers started together on a new folder share one CA, which every one of their certificates chains to', async () => {
    const db = await database();
    const tlsDir = join(tempDir(), 'tls');
    const servers = await Promise.all([1, 2, 3].map(() => start(db, { tls: true, tlsDir })));
    for (const server of servers) {
      assert.equal(server.tls!.trustFile, join(tlsDir, 'ca.pem'));
      assert.equal((await clientOf(server).octokit(ADMIN_TOKEN).rest.users.getAuthenticated()).status, 200);
    }
  });

  it('is replaced when it has expired, and the CA too when its files are gone', async () => {
    const db = await database();
    const dir = tempDir();
    const first = await start(db, { tls: true, tlsDir: dir });
    await first.close();
    const ca = { cert: readFileSync(join(dir, 'ca.pem'), 'utf8'), key: readFileSync(join(dir, 'ca-key.pem'), 'utf8') };
    const day = 86_400_000;
    const expired = await generate([{ name: 'commonName', value: 'localhost' }], {
      keyType: 'ec', algorithm: 'sha256', ca, notBeforeDate: new Date(Date.now() - 400 * day), notAfterDate: new Date(Date.now() - day),
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }] }],
    });
    writeFileSync(join(dir, 'cert.pem'), expired.cert);
    writeFileSync(join(dir, 'key.pem'), expired.private);
    const renewed = await start(db, { tls: true, tlsDir: dir });
    assert.equal(renewed.tls!.origin, 'generated');
    assert.ok(new Date(new X509Certificate(renewed.tls!.cert).validTo).getTime() > Date.now() + 300 * day);
    assert.equal(readFileSync(join(dir, 'ca.pem'), 'utf8'), ca.cert);
    await renewed.close();

    unlinkSync(join(dir, 'ca.pem'));
    const fresh = await start(db, { tls: true, tlsDir: dir });
    assert.notEqual(readFileSync(join(dir, 'ca.pem'), 'utf8'), ca.cert);
    assert.equal((await clientOf(fresh).octokit(ADMIN_TOKEN).rest.users.getAuthenticated()).status, 200);
  });
});

describe("--tls-cert and --tls-key (ORGHUB_TLS_CERT, ORGHUB_TLS_KEY): the user's own certificate", { timeout: 60_000 }, () => {
  /** A self-signed certificate for 127.0.0.1 and its key, written to a temp folder. */
  async function userCertificate() {
    const dir = tempDir();
    const pems = await generate([{ name: 'commonName', value: 'my orghub' }], {
      keyType: 'ec', algorithm: 'sha256',
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
    });
    const files = { cert: join(dir, 'mine.crt'), key: join(dir, 'mine.key') };
    writeFileSync(files.cert, pems.cert);
    writeFileSync(files.key, pems.private);
    return files;
  }

  it('serves that certificate and generates none', async () => {
    const mine = await userCertificate();
    const tlsDir = join(tempDir(), 'unused');
    const server = await start(await database(), { tlsCertFile: mine.cert, tlsKeyFile: mine.key, tlsDir });
    assert.match(server.url, /^https:\/\//);
    assert.equal(server.tls!.origin, 'supplied');
    assert.equal(server.tls!.cert, readFileSync(mine.cert, 'utf8'));
    assert.equal((await clientOf(server, mine.cert).octokit(ADMIN_TOKEN).rest.users.getAuthenticated()).data.login, 'admin');
    assert.ok(!existsSync(tlsDir));
  });

  it('through the CLI flags, which imply --tls', async () => {
    const mine = await userCertificate();
    const db = await database();
    const cli = await startOrghubProcess(['--port', '0', '--tls-cert', mine.cert, '--tls-key', mine.key], {
      cwd: tempDir(),
      env: { ORGHUB_DATABASE_URL: db.url, ORGHUB_ADMIN_TOKEN: ADMIN_TOKEN },
    });
    assert.match(cli.url, /^https:\/\//);
    const api = apiClient(() => cli.url, fetchTrusting(readFileSync(mine.cert, 'utf8')));
    assert.equal((await api.octokit(ADMIN_TOKEN).rest.users.getAuthenticated()).status, 200);
    assert.equal(await cli.stop(), 0);
  });

  it('refuses a certificate without its key, or a key that is not the certificate’s, naming the files', async () => {
    const mine = await userCertificate();
    const other = await userCertificate();
    assert.throws(() => resolveConfig({ tlsCertFile: mine.cert }), /needs its key/);
    assert.throws(() => resolveConfig(configFromEnv({ ORGHUB_TLS_KEY: mine.key })), /needs its key/);
    const db = await database();
    await assert.rejects(
      startServer({ port: 0, databaseUrl: db.url, tlsCertFile: mine.cert, tlsKeyFile: other.key }),
      (error: Error) => error.message.includes(mine.cert) && error.message.includes(other.key),
    );
    const child = spawnCli(['--port', '0', '--tls-cert', mine.cert], { cwd: tempDir(), env: { ORGHUB_DATABASE_URL: 'sqlite::memory:' } });
    let err = '';
    child.stderr.on('data', (chunk) => (err += chunk));
    assert.notEqual(await new Promise((resolve) => child.once('exit', resolve)), 0);
    assert.match(err, /--tls-key/);
  });
});

describe('TLS settings', () => {
  it('ORGHUB_TLS takes 1/true or 0/false; anything else is an error', () => {
    assert.equal(configFromEnv({ ORGHUB_TLS: '1' }).tls, true);
    assert.equal(configFromEnv({ ORGHUB_TLS: 'false' }).tls, false);
    assert.equal(resolveConfig(configFromEnv({})).tls, false);
    assert.throws(() => configFromEnv({ ORGHUB_TLS: 'yes please' }), /ORGHUB_TLS/);
  });

  it('orghub --help lists the TLS flags and variables', async () => {
    const child = spawnCli(['--help'], { cwd: tempDir() });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    assert.equal(await new Promise((resolve) => child.once('exit', resolve)), 0);
    for (const word of ['--tls ', '--tls-cert', '--tls-key', 'ORGHUB_TLS=1', 'ORGHUB_TLS_CERT', 'ORGHUB_TLS_KEY', 'ORGHUB_TLS_DIR', 'SSL_CERT_FILE']) {
      assert.ok(out.includes(word), word);
    }
  });
});
