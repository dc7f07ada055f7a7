import type { FastifyInstance } from 'fastify';
import { createApp } from './app.js';
import { bootstrapAdmin, type BootstrapResult } from './bootstrap.js';
import { resolveConfig, type Config, type ConfigInput } from './config.js';
import type { AppContext } from './context.js';
import { openStore } from './db/connect.js';
import { migrateToLatest } from './db/migrate.js';
import { Authenticator } from './http/auth/index.js';
import { ReadCache } from './http/read-cache.js';
import { serverCertificate, type ServedCertificate } from './http/tls.js';
import { Urls } from './http/urls.js';
import { bindEventContext } from './events/record.js';
import { AuditRetention } from './audit/retention.js';
import { SamlEnforcement } from './credential-authorizations/enforcement.js';
import { DeliveryEngine } from './hooks/engine.js';
import { SarifProcessor } from './code-scanning/engine.js';
import { processUpload } from './code-scanning/service.js';
import { RateLimiter } from './ratelimit/limiter.js';

export interface OrghubServer {
  app: FastifyInstance;
  config: Config;
  ctx: AppContext;
  /** The admin bootstrapped on an empty database; `generatedToken` when a random token was made. */
  admin: BootstrapResult;
  /** With `tls`: the certificate served and the file clients trust. */
  tls?: Omit<ServedCertificate, 'key'>;
  close(): Promise<void>;
}

/**
 * Builds the server from a config object without listening: migrations run, the admin is bootstrapped.
 * `listenHost`, the address it is going to listen on, is one of the names a generated TLS certificate covers.
 */
export async function buildServer(input: ConfigInput = {}, listenHost?: string): Promise<OrghubServer> {
  const config = resolveConfig(input);
  const certificate = config.tls ? await serverCertificate(config, listenHost) : undefined;
  const store = openStore(config.databaseUrl);
  try {
    await migrateToLatest(store);
  } catch (error) {
    await store.close();
    throw error;
  }
  const urls = new Urls(config.baseUrl ?? `${certificate ? 'https' : 'http'}://127.0.0.1:3000`, config.htmlUrl);
  const ctx: AppContext = {
    db: store.db,
    dialect: store.dialect,
    config,
    clock: config.clock,
    urls,
    auth: new Authenticator({ db: store.db, clock: config.clock }, { pollMs: config.authPollMs, staleAfterMs: config.authCacheMs }),
    readCache: new ReadCache(config.readCacheMs),
    rateLimiter: new RateLimiter(store.db, config.clock, config.rateLimit.windowSeconds, config.rateLimitFlushMs),
    graphqlRateLimiter: new RateLimiter(store.db, config.clock, config.rateLimit.windowSeconds, config.rateLimitFlushMs, 'graphql'),
    // Engine errors (a failed claim or attempt write) are logged; the rows stay in the table and are tried again.
    deliveries: new DeliveryEngine(store.db, store.dialect, config.clock, config.webhooks, (error) => app.log.error({ err: error }, 'webhook delivery engine')),
    saml: new SamlEnforcement(store.db, config.clock, urls, config.authCacheMs, config.rateLimitFlushMs, (error) => app.log.error({ err: error }, 'credential access times')),
    // Processing errors other than a rejected file (a failed write) are logged; the upload stays pending and is tried again.
    sarifProcessor: new SarifProcessor(store.db, store.dialect, config.clock, config.sarifProcessing, (upload) => processUpload(ctx, upload), (error) => app.log.error({ err: error }, 'SARIF processing')),
  };
  const auditRetention = new AuditRetention(store.db, store.dialect, config.clock, config.auditLogRetentionDays, (error) => app.log.error({ err: error }, 'audit log retention'));
  bindEventContext(store.db, { urls, deliveriesRecorded: () => ctx.deliveries.expect() });
  const admin = await bootstrapAdmin(ctx);
  const app: FastifyInstance = createApp(ctx, config, certificate);
  await ctx.auth.start();
  ctx.deliveries.start();
  ctx.sarifProcessor.start();
  auditRetention.start(AUDIT_RETENTION_POLL_MS);
  let closed = false;
  return {
    app,
    config,
    ctx,
    admin,
    tls: certificate && { cert: certificate.cert, trustFile: certificate.trustFile, names: certificate.names, origin: certificate.origin },
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      ctx.auth.close();
      await ctx.deliveries.stop();
      await ctx.sarifProcessor.stop();
      await auditRetention.stop();
      await ctx.saml.close();
      await ctx.rateLimiter.close();
      await ctx.graphqlRateLimiter.close();
      await store.close();
    },
  };
}

/** How often a process checks whether audit events are due for pruning (it prunes at most once a minute of clock time). */
const AUDIT_RETENTION_POLL_MS = 1000;

export interface RunningServer extends OrghubServer {
  /** `http://HOST:PORT` (`https://` with TLS), the base both `baseUrl` forms of Octokit build on (`…` and `…/api/v3`). */
  url: string;
}

/** Builds the server and listens on `port` (0 picks a free one). */
export async function startServer(input: ConfigInput & { port?: number; host?: string } = {}): Promise<RunningServer> {
  const { port = 3000, host = '127.0.0.1', ...rest } = input;
  const server = await buildServer(rest, host);
  try {
    await server.app.listen({ port, host });
  } catch (error) {
    await server.close();
    throw error;
  }
  const address = server.app.server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  const url = `${server.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${actualPort}`;
  if (!server.config.baseUrl) server.ctx.urls.setBase(url, server.config.htmlUrl);
  return { ...server, url };
}
