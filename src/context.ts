import type { Kysely } from 'kysely';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { SamlEnforcement } from './credential-authorizations/enforcement.js';
import type { DialectName } from './db/connect.js';
import type { Database } from './db/schema.js';
import type { DeliveryEngine } from './hooks/engine.js';
import type { SarifProcessor } from './code-scanning/engine.js';
import type { Authenticator } from './http/auth/index.js';
import type { ReadCache } from './http/read-cache.js';
import type { Urls } from './http/urls.js';
import type { RateLimiter } from './ratelimit/limiter.js';

/** What every service needs from the running server: storage, time, settings and URL building. */
export interface AppContext {
  db: Kysely<Database>;
  dialect: DialectName;
  config: Config;
  clock: Clock;
  urls: Urls;
  auth: Authenticator;
  /** Short-lived per-process cache of authorization reads for hot GET routes (see ReadCache). */
  readCache: ReadCache;
  rateLimiter: RateLimiter;
  /** GraphQL's own `graphql` resource, counted in points per query. */
  graphqlRateLimiter: RateLimiter;
  /** Sends the webhook deliveries changes record. */
  deliveries: DeliveryEngine;
  /** Processes SARIF uploads in the background. */
  sarifProcessor: SarifProcessor;
  /** SAML SSO enforcement: which tokens may reach an org's resources (credential authorizations). */
  saml: SamlEnforcement;
}
