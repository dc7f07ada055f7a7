import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';

/**
 * Fastify options that bound how long a connection may take to send its request and how long it may idle
 * between requests, so a silent or trickling client holds its socket for a bounded time.
 */
export function connectionTimeouts(config: Config) {
  // Node refuses a headers timeout above the request timeout; the request timeout covers the headers anyway.
  const headersTimeout = Math.min(config.headersTimeoutMs, config.requestTimeoutMs);
  return {
    requestTimeout: config.requestTimeoutMs,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    http: {
      headersTimeout,
      // Fastify sets requestTimeout only after creating the server; Node compares the two at creation.
      requestTimeout: config.requestTimeoutMs,
      // Node looks for expired requests only at this interval (30 s by default), so a timeout fires up to one interval late.
      connectionsCheckingInterval: Math.min(1000, Math.ceil(headersTimeout / 2)),
    },
  };
}

/** Caps simultaneous connections (so a flood cannot exhaust file descriptors) and bounds how long closing waits. */
export function limitConnections(app: FastifyInstance, config: Config): void {
  app.server.maxConnections = config.maxConnections;
  // Closing stops Node's timeout checks, so a half-open connection would hold close() forever: it gets the request timeout.
  let cutOff: NodeJS.Timeout | undefined;
  app.addHook('preClose', (done) => {
    cutOff = setTimeout(() => app.server.closeAllConnections(), config.requestTimeoutMs).unref();
    done();
  });
  app.addHook('onClose', (_instance, done) => {
    clearTimeout(cutOff);
    done();
  });
}
