import { compactVerify, decodeJwt, decodeProtectedHeader, importSPKI, type CryptoKey, type JWTPayload } from 'jose';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { ApiError } from '../http/errors.js';
import { findAppByIssuer, type AppRow } from './store.js';

/** GitHub's ceiling on a JWT's lifetime: `exp` no more than 10 minutes ahead. */
const MAX_LIFETIME_S = 10 * 60;
/** Clock drift GitHub tolerates between the app's clock and its own, either way. */
const DRIFT_S = 60;

// GitHub's answers, word for word (@octokit/auth-app recognises the time ones and retries with the server's clock).
const undecodable = () => new ApiError(401, 'A JSON web token could not be decoded');
const badIssuedAt = () => new ApiError(401, "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued");
const expired = () => new ApiError(401, "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires");
const tooLong = () => new ApiError(401, "'Expiration time' claim ('exp') is too far in the future");
// GitHub answers an `iss` naming no app with 404.
const unknownApp = () => new ApiError(404, 'Integration not found');

/** Whether a bearer credential is a JWT (three base64url parts) rather than a token. */
export function looksLikeJwt(credential: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(credential);
}

/** The verified app of an app JWT and when the JWT stops being valid (ms since the epoch). */
export interface VerifiedAppJwt {
  app: AppRow;
  expiresAtMs: number;
}

// Importing a PEM costs more than verifying with it: keys are kept per app (a registered key never changes).
const keys = new Map<string, Promise<CryptoKey>>();
function publicKeyOf(app: AppRow): Promise<CryptoKey> {
  const cacheKey = `${app.id}:${app.client_id}`;
  let key = keys.get(cacheKey);
  if (!key) {
    if (keys.size > 1_000) keys.clear();
    key = importSPKI(app.public_key, 'RS256');
    keys.set(cacheKey, key);
  }
  return key;
}

/**
 * Checks an app JWT as GitHub does: RS256, `iss` the app id or client id, signed by the app's key, `iat` not in the
 * future and `exp` in the future but at most 10 minutes ahead, each allowing a minute of clock drift.
 */
export async function verifyAppJwt(db: Kysely<Database>, jwt: string, now: Date): Promise<VerifiedAppJwt> {
  let claims: JWTPayload;
  try {
    if (decodeProtectedHeader(jwt).alg !== 'RS256') throw undecodable();
    claims = decodeJwt(jwt);
  } catch {
    throw undecodable();
  }
  const issuer = claims.iss as unknown;
  // Without an issuer no key can be found to check the signature with.
  if ((typeof issuer !== 'string' || issuer === '') && !Number.isInteger(issuer)) throw undecodable();
  const app = await findAppByIssuer(db, issuer as string | number);
  if (!app) throw unknownApp();
  try {
    await compactVerify(jwt, await publicKeyOf(app), { algorithms: ['RS256'] });
  } catch {
    throw undecodable();
  }
  const nowS = Math.floor(now.getTime() / 1000);
  const { iat, exp } = claims as { iat?: unknown; exp?: unknown };
  if (!Number.isInteger(iat) || (iat as number) > nowS + DRIFT_S) throw badIssuedAt();
  if (typeof exp !== 'number' || !Number.isFinite(exp) || exp <= nowS - DRIFT_S) throw expired();
  if (exp > nowS + MAX_LIFETIME_S + DRIFT_S) throw tooLong();
  return { app, expiresAtMs: (exp + DRIFT_S) * 1000 };
}
