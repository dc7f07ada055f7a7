import type { Clock } from './clock.js';
import { systemClock } from './clock.js';
import { defaultDeliverySettings, type DeliverySettings } from './hooks/engine.js';
import { defaultSarifProcessingSettings, type SarifProcessingSettings } from './code-scanning/engine.js';
import { defaultInvitationLimit, type InvitationLimit } from './invitations/rate-limit.js';

export interface Config {
  /** `sqlite:PATH`, `sqlite::memory:` or `postgres://…`. */
  databaseUrl: string;
  /** Base of every `*_url` in responses; default `http://127.0.0.1:PORT`. */
  baseUrl?: string;
  /** Base of every `html_url`; defaults to the base URL. */
  htmlUrl?: string;
  adminLogin: string;
  /** Token the bootstrapped site admin gets; random `ghp_…` when unset. */
  adminToken?: string;
  rateLimit: { authenticated: number; anonymous: number; windowSeconds: number };
  /** Invitations an org may send per 24 hours (src/invitations/rate-limit.ts); 0: no limit. */
  invitationLimit: InvitationLimit;
  /** Campaigns an org may create per hour (src/campaigns/service.ts); 0: no limit. */
  campaignLimit: number;
  /** Largest accepted request body, in bytes. */
  bodyLimit: number;
  /**
   * How long a process trusts what it looked up about a caller without confirming that nothing changed: a SAML credential
   * authorization that long; a token as long as the caller generation was checked this recently (src/http/auth/authenticator.ts).
   */
  authCacheMs: number;
  /** How often a process checks the caller generation: a token revoked through another process is refused there within it. */
  authPollMs: number;
  /** Lifetime of the per-process read cache (src/http/read-cache.ts); 0 turns it off. */
  readCacheMs: number;
  /** How often batched counts (rate limits, credential authorizations' last use) are written to the database. */
  rateLimitFlushMs: number;
  /** Time a connection has to send complete request headers, counted from its start (at most `requestTimeoutMs`). */
  headersTimeoutMs: number;
  /** Time a connection has to send a whole request, headers and body. */
  requestTimeoutMs: number;
  /** Idle time allowed between requests on a kept-alive connection. */
  keepAliveTimeoutMs: number;
  /** Simultaneous connections; beyond it new connections are closed at once. */
  maxConnections: number;
  /** Webhook deliveries (src/hooks/engine.ts). */
  webhooks: DeliverySettings;
  /** SARIF upload processing (src/code-scanning/engine.ts). */
  sarifProcessing: SarifProcessingSettings;
  /** Audit events older than this are pruned and no longer shown (GitHub keeps web events 180 days). */
  auditLogRetentionDays: number;
  clock: Clock;
  logger: boolean | { level: string };
  /** Serve HTTPS: with `tlsCertFile`/`tlsKeyFile` when given (either implies it), else a certificate generated in `tlsDir`. */
  tls: boolean;
  /** PEM files of the user's own certificate (chain) and private key. */
  tlsCertFile?: string;
  tlsKeyFile?: string;
  /** Where a generated certificate and its CA are kept; default `tls/` beside the SQLite file, else `./data/tls`. */
  tlsDir?: string;
}

export const defaultConfig: Config = {
  databaseUrl: 'sqlite:./data/orghub.db',
  adminLogin: 'admin',
  rateLimit: { authenticated: 5000, anonymous: 60, windowSeconds: 3600 },
  invitationLimit: defaultInvitationLimit,
  // GitHub documents a secondary rate limit on campaign creation (429) without its figure: this one is ours.
  campaignLimit: 50,
  bodyLimit: 1024 * 1024,
  authCacheMs: 1000,
  authPollMs: 100,
  readCacheMs: 1000,
  rateLimitFlushMs: 200,
  // Ample for a slow link to carry this API's few-kilobyte headers and bodies; a stalled client is dropped soon after.
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  // Node's own default: long enough for a client's next request in a burst, short enough not to hoard sockets.
  keepAliveTimeoutMs: 5_000,
  // Node raises its file-descriptor limit to the hard limit, rarely below 4096: this leaves room for database files and pools.
  maxConnections: 4_000,
  webhooks: defaultDeliverySettings,
  sarifProcessing: defaultSarifProcessingSettings,
  auditLogRetentionDays: 180,
  clock: systemClock,
  logger: false,
  tls: false,
};

/** pino's levels, the values `--log-level` / ORGHUB_LOG_LEVEL take. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export type ConfigInput = Partial<Omit<Config, 'rateLimit' | 'invitationLimit' | 'webhooks' | 'sarifProcessing'>> & {
  rateLimit?: Partial<Config['rateLimit']>;
  invitationLimit?: Partial<InvitationLimit>;
  webhooks?: Partial<DeliverySettings>;
  sarifProcessing?: Partial<SarifProcessingSettings>;
};

const defined = <T extends object>(o: T | undefined): Partial<T> =>
  Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;

export function resolveConfig(input: ConfigInput = {}): Config {
  const config = {
    ...defaultConfig,
    ...defined(input),
    rateLimit: { ...defaultConfig.rateLimit, ...defined(input.rateLimit) },
    invitationLimit: { ...defaultConfig.invitationLimit, ...defined(input.invitationLimit) },
    webhooks: { ...defaultConfig.webhooks, ...defined(input.webhooks) },
    sarifProcessing: { ...defaultConfig.sarifProcessing, ...defined(input.sarifProcessing) },
  } as Config;
  // Zero or NaN would switch a bound off, or let Fastify silently substitute its own default.
  for (const name of ['headersTimeoutMs', 'requestTimeoutMs', 'keepAliveTimeoutMs', 'maxConnections', 'authPollMs'] as const) {
    if (!Number.isInteger(config[name]) || config[name] < 1) throw new Error(`${name} must be a positive integer, got ${config[name]}`);
  }
  if (typeof config.logger === 'object' && !LOG_LEVELS.includes(config.logger.level)) {
    throw new Error(`log level ${JSON.stringify(config.logger.level)} is not one of ${LOG_LEVELS.join(', ')}`);
  }
  for (const [name, value] of Object.entries(config.invitationLimit)) {
    if (!Number.isInteger(value) || value < 0) throw new Error(`invitationLimit.${name} must be a non-negative integer (0: no limit), got ${value}`);
  }
  if (!Number.isInteger(config.campaignLimit) || config.campaignLimit < 0) {
    throw new Error(`campaignLimit must be a non-negative integer (0: no limit), got ${config.campaignLimit}`);
  }
  if (!Number.isInteger(config.readCacheMs) || config.readCacheMs < 0) {
    throw new Error(`readCacheMs must be a non-negative integer, got ${config.readCacheMs}`);
  }
  if (!Number.isInteger(config.auditLogRetentionDays) || config.auditLogRetentionDays < 1) {
    throw new Error(`auditLogRetentionDays must be a positive integer, got ${config.auditLogRetentionDays}`);
  }
  // NaN would silently stop this process from sending; 0 is the documented way to.
  if (!Number.isInteger(config.webhooks.concurrency) || config.webhooks.concurrency < 0) {
    throw new Error(`webhooks.concurrency must be a non-negative integer, got ${config.webhooks.concurrency}`);
  }
  if (Boolean(config.tlsCertFile) !== Boolean(config.tlsKeyFile)) {
    throw new Error('A TLS certificate needs its key: give both tlsCertFile and tlsKeyFile (--tls-cert and --tls-key, ORGHUB_TLS_CERT and ORGHUB_TLS_KEY)');
  }
  if (config.tlsCertFile) config.tls = true;
  return config;
}

/** Reads the documented environment variables (README lists them). */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ConfigInput {
  const int = (name: string) => (env[name] !== undefined && env[name] !== '' ? Number.parseInt(env[name]!, 10) : undefined);
  const flag = (name: string) => {
    const value = env[name]?.toLowerCase();
    if (value === undefined || value === '') return undefined;
    if (value === '1' || value === 'true') return true;
    if (value === '0' || value === 'false') return false;
    throw new Error(`${name} must be 1 or 0 (true or false), got ${JSON.stringify(env[name])}`);
  };
  return {
    databaseUrl: env.ORGHUB_DATABASE_URL || undefined,
    baseUrl: env.ORGHUB_BASE_URL || undefined,
    htmlUrl: env.ORGHUB_HTML_URL || undefined,
    adminLogin: env.ORGHUB_ADMIN_LOGIN || undefined,
    adminToken: env.ORGHUB_ADMIN_TOKEN || undefined,
    rateLimit: {
      authenticated: int('ORGHUB_RATE_LIMIT'),
      anonymous: int('ORGHUB_RATE_LIMIT_ANONYMOUS'),
    },
    invitationLimit: {
      newOrgs: int('ORGHUB_INVITATION_LIMIT'),
      establishedOrgs: int('ORGHUB_INVITATION_LIMIT_ESTABLISHED'),
    },
    campaignLimit: int('ORGHUB_CAMPAIGN_LIMIT'),
    bodyLimit: int('ORGHUB_BODY_LIMIT'),
    readCacheMs: int('ORGHUB_READ_CACHE_MS'),
    headersTimeoutMs: int('ORGHUB_HEADERS_TIMEOUT_MS'),
    requestTimeoutMs: int('ORGHUB_REQUEST_TIMEOUT_MS'),
    keepAliveTimeoutMs: int('ORGHUB_KEEP_ALIVE_TIMEOUT_MS'),
    maxConnections: int('ORGHUB_MAX_CONNECTIONS'),
    webhooks: {
      concurrency: int('ORGHUB_WEBHOOK_CONCURRENCY'),
      timeoutMs: int('ORGHUB_WEBHOOK_TIMEOUT_MS'),
      retentionMs: int('ORGHUB_WEBHOOK_RETENTION_HOURS') === undefined ? undefined : int('ORGHUB_WEBHOOK_RETENTION_HOURS')! * 3_600_000,
      responseBodyLimit: int('ORGHUB_WEBHOOK_RESPONSE_LIMIT'),
      // A comma-separated list of CIDR ranges; empty: deny nothing.
      deniedRanges: env.ORGHUB_WEBHOOK_DENIED_RANGES === undefined ? undefined : env.ORGHUB_WEBHOOK_DENIED_RANGES.split(',').map((r) => r.trim()).filter(Boolean),
    },
    sarifProcessing: {
      enabled: env.ORGHUB_SARIF_PROCESSING === undefined ? undefined : env.ORGHUB_SARIF_PROCESSING !== '0',
      pollMs: int('ORGHUB_SARIF_POLL_MS'),
      leaseMs: int('ORGHUB_SARIF_LEASE_MS'),
    },
    auditLogRetentionDays: int('ORGHUB_AUDIT_RETENTION_DAYS'),
    logger: env.ORGHUB_LOG_LEVEL ? { level: env.ORGHUB_LOG_LEVEL } : undefined,
    tls: flag('ORGHUB_TLS'),
    tlsCertFile: env.ORGHUB_TLS_CERT || undefined,
    tlsKeyFile: env.ORGHUB_TLS_KEY || undefined,
    tlsDir: env.ORGHUB_TLS_DIR || undefined,
  };
}
