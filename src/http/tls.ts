import { createPrivateKey, randomBytes, X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { createSecureContext } from 'node:tls';
import { systemClock } from '../clock.js';
import type { Config } from '../config.js';

/** What the HTTPS server presents, and what its clients are told to trust. */
export interface ServedCertificate {
  /** PEM of the certificate the server presents and of its private key. */
  cert: string;
  key: string;
  /** Absolute path of the PEM file clients trust (`SSL_CERT_FILE`, `NODE_EXTRA_CA_CERTS`, `curl --cacert`). */
  trustFile: string;
  /** Names and addresses the certificate is valid for. */
  names: string[];
  /** `generated`: made at this start; `reused`: made at an earlier one; `supplied`: the user's own files. */
  origin: 'generated' | 'reused' | 'supplied';
}

const DAY_MS = 86_400_000;
const CA_LIFETIME_MS = 10 * 365 * DAY_MS;
const LEAF_LIFETIME_MS = 365 * DAY_MS;
// A leaf this close to its end is replaced at start, so a long-running process does not outlive it.
const RENEW_BEFORE_MS = 30 * DAY_MS;
// Certificates start an hour early so a client whose clock lags a little still accepts a fresh one.
const BACKDATE_MS = 3_600_000;
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '']);

/** Where a generated certificate is kept: `tlsDir`, else `tls/` beside the SQLite file, else `./data/tls`. */
export function tlsDirectory(config: Pick<Config, 'tlsDir' | 'databaseUrl'>): string {
  if (config.tlsDir) return resolve(config.tlsDir);
  const sqlitePath = config.databaseUrl.startsWith('sqlite:') ? config.databaseUrl.slice('sqlite:'.length) : ':memory:';
  return resolve(sqlitePath === ':memory:' ? './data' : dirname(sqlitePath), 'tls');
}

/** The names a client may use to reach this server: loopback, the listening address and the base URL's host. */
export function servedNames(config: Pick<Config, 'baseUrl'>, listenHost?: string): string[] {
  const names = new Set(['localhost', '127.0.0.1', '::1']);
  if (listenHost !== undefined && WILDCARD_HOSTS.has(listenHost)) {
    // Listening on every interface: the machine is reached by its name or any of its addresses.
    names.add(hostname());
    for (const address of Object.values(networkInterfaces()).flat()) if (address) names.add(address.address);
  } else if (listenHost) {
    names.add(listenHost);
  }
  if (config.baseUrl) names.add(new URL(config.baseUrl).hostname.replace(/^\[(.*)\]$/, '$1'));
  return [...names];
}

/**
 * The certificate to serve: the user's files when `tlsCertFile`/`tlsKeyFile` are set; otherwise a leaf signed by a
 * local CA, both kept in `tlsDirectory(config)`. The CA is made once and kept, so clients trusting it keep working
 * when the leaf is replaced (names not covered, expiring, or not signed by that CA).
 */
export async function serverCertificate(config: Config, listenHost?: string): Promise<ServedCertificate> {
  if (config.tlsCertFile && config.tlsKeyFile) return suppliedCertificate(config.tlsCertFile, config.tlsKeyFile);
  const names = servedNames(config, listenHost);
  const dir = tlsDirectory(config);
  const files = { caCert: join(dir, 'ca.pem'), caKey: join(dir, 'ca-key.pem'), cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') };
  // Clients check certificates against their own clocks: real time, whatever clock the app runs on.
  const now = systemClock.now();
  const ca = await localCa(dir, files.caCert, files.caKey, now);
  const existing = readPair(files.cert, files.key);
  if (existing && usable(existing, now, names, ca.cert)) return { ...existing, trustFile: files.caCert, names, origin: 'reused' };
  const leaf = await issueLeaf(now, names, ca);
  writePair(dir, files.cert, files.key, leaf);
  return { ...leaf, trustFile: files.caCert, names, origin: 'generated' };
}

interface Pair {
  cert: string;
  key: string;
}

function suppliedCertificate(certFile: string, keyFile: string): ServedCertificate {
  const pair = { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
  try {
    // Checked here so a key that is not the certificate's fails the start with the files named, before anything opens.
    createSecureContext(pair);
  } catch (error) {
    throw new Error(`TLS certificate ${certFile} and key ${keyFile} cannot be used: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { ...pair, trustFile: resolve(certFile), names: [], origin: 'supplied' };
}

/** The CA kept in `dir`, made when missing or no longer usable. */
async function localCa(dir: string, certFile: string, keyFile: string, now: Date): Promise<Pair> {
  const kept = readPair(certFile, keyFile);
  if (kept && usable(kept, now, [])) return kept;
  const ca = await issueCa(now);
  if (!kept) {
    // Processes starting together on a new folder: one rename publishes a whole CA, and the others take that one.
    mkdirSync(dirname(dir), { recursive: true });
    const staging = mkdtempSync(`${dir}.new-`);
    writePair(staging, join(staging, basename(certFile)), join(staging, basename(keyFile)), ca);
    try {
      renameSync(staging, dir);
      return ca;
    } catch (error) {
      rmSync(staging, { recursive: true, force: true });
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
      const published = readPair(certFile, keyFile);
      if (published && usable(published, now, [])) return published;
    }
  }
  // An expired or damaged CA, or a folder holding other files: replaced in place.
  writePair(dir, certFile, keyFile, ca);
  return ca;
}

function readPair(certFile: string, keyFile: string): Pair | undefined {
  try {
    return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
  } catch {
    return undefined;
  }
}

function writePair(dir: string, certFile: string, keyFile: string, pair: Pair): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(keyFile, pair.key, { mode: 0o600 });
  writeFileSync(certFile, pair.cert);
}

/** Parses, matches its key, is valid well past `now`, covers `names`, and (for a leaf) is signed by `ca`. */
function usable(pair: Pair, now: Date, names: string[], ca?: string): boolean {
  try {
    const cert = new X509Certificate(pair.cert);
    if (!cert.checkPrivateKey(createPrivateKey(pair.key))) return false;
    if (new Date(cert.validTo).getTime() - now.getTime() < RENEW_BEFORE_MS || new Date(cert.validFrom) > now) return false;
    if (ca) {
      const issuer = new X509Certificate(ca);
      if (!cert.checkIssued(issuer) || !cert.verify(issuer.publicKey)) return false;
    }
    return names.every((name) => (isIP(name) ? cert.checkIP(name) : cert.checkHost(name, { wildcards: false })) !== undefined);
  } catch {
    // Unparsable files are replaced like expired ones.
    return false;
  }
}

// P-256 with SHA-256: accepted by Go (gh), OpenSSL (curl) and Node alike, and generated in milliseconds.
const KEY = { keyType: 'ec', curve: 'P-256', algorithm: 'sha256' } as const;

// Loaded only to make a certificate: the library costs ~100 ms of start-up, which a plain or reusing start skips.
const generate: typeof import('selfsigned').generate = async (...args) => (await import('selfsigned')).generate(...args);

async function issueCa(now: Date): Promise<Pair> {
  // A random suffix keeps two installations' CAs apart when a client trusts both (issuers are matched by name).
  const pems = await generate([{ name: 'commonName', value: `orghub local CA ${randomBytes(4).toString('hex')}` }], {
    ...KEY,
    notBeforeDate: new Date(now.getTime() - BACKDATE_MS),
    notAfterDate: new Date(now.getTime() + CA_LIFETIME_MS),
    extensions: [
      { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

async function issueLeaf(now: Date, names: string[], ca: Pair): Promise<Pair> {
  const pems = await generate([{ name: 'commonName', value: names[0] ?? 'localhost' }], {
    ...KEY,
    ca,
    notBeforeDate: new Date(now.getTime() - BACKDATE_MS),
    notAfterDate: new Date(now.getTime() + LEAF_LIFETIME_MS),
    // Go verifies names only from subjectAltName, and wants serverAuth when extKeyUsage is present.
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: names.map((name) => (isIP(name) ? { type: 7 as const, ip: name } : { type: 2 as const, value: name })) },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}
