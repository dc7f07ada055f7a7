#!/usr/bin/env node
import { parseArgs } from 'node:util';
import type { RunningServer } from './server.js';

const HELP = `Usage: orghub [options]

Serves GitHub's REST API for organizations.

Options:
  --port PORT          port to listen on (env PORT, default 3000; 0 picks a free one)
  --host HOST          address to listen on (env HOST, default 127.0.0.1)
  --database URL       sqlite:PATH, sqlite::memory: or postgres://… (env ORGHUB_DATABASE_URL,
                       default sqlite:./data/orghub.db)
  --base-url URL       base of every *_url in responses (env ORGHUB_BASE_URL, default http://HOST:PORT,
                       https://HOST:PORT with TLS)
  --html-url URL       base of every html_url (env ORGHUB_HTML_URL, default the base URL)
  --admin-login LOGIN  site admin created on an empty database (env ORGHUB_ADMIN_LOGIN, default admin)
  --admin-token TOKEN  that admin's token (env ORGHUB_ADMIN_TOKEN, default a random ghp_… token, printed once)
  --log-level LEVEL    pino log level (env ORGHUB_LOG_LEVEL; logging is off by default)
  --tls                serve HTTPS (env ORGHUB_TLS=1) with a certificate signed by a local CA, both generated
                       on first start and kept in tls/ beside the SQLite file, else ./data/tls (env
                       ORGHUB_TLS_DIR); the CA's path is printed, for SSL_CERT_FILE / NODE_EXTRA_CA_CERTS
  --tls-cert FILE      serve HTTPS with this PEM certificate (chain) instead (env ORGHUB_TLS_CERT)
  --tls-key FILE       the PEM private key of --tls-cert (env ORGHUB_TLS_KEY)
  -h, --help           show this help
`;

async function main() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      database: { type: 'string' },
      'base-url': { type: 'string' },
      'html-url': { type: 'string' },
      'admin-login': { type: 'string' },
      'admin-token': { type: 'string' },
      'log-level': { type: 'string' },
      tls: { type: 'boolean' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  let server: RunningServer | undefined;
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await server?.close();
    process.exit(0);
  };
  // Listening for signals before anything else, so a stop during start-up still closes cleanly.
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // Loaded only now, so `--help` answers without loading the server (Fastify, Kysely, the description).
  const [{ configFromEnv }, { startServer }] = await Promise.all([import('./config.js'), import('./server.js')]);
  const env = configFromEnv();
  const logLevel = values['log-level'];
  const port = Number.parseInt(values.port ?? process.env.PORT ?? '3000', 10);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`Invalid port: ${values.port ?? process.env.PORT}`);
  server = await startServer({
    ...env,
    port,
    host: values.host ?? process.env.HOST ?? '127.0.0.1',
    databaseUrl: values.database ?? env.databaseUrl,
    baseUrl: values['base-url'] ?? env.baseUrl,
    htmlUrl: values['html-url'] ?? env.htmlUrl,
    adminLogin: values['admin-login'] ?? env.adminLogin,
    adminToken: values['admin-token'] ?? env.adminToken,
    logger: logLevel ? { level: logLevel } : env.logger,
    tls: values.tls ?? env.tls,
    tlsCertFile: values['tls-cert'] ?? env.tlsCertFile,
    tlsKeyFile: values['tls-key'] ?? env.tlsKeyFile,
  });
  process.stdout.write(`orghub listening on ${server.url} (${server.ctx.dialect})\n`);
  const tls = server.tls;
  if (tls?.origin === 'supplied') process.stdout.write(`TLS certificate: ${tls.trustFile}\n`);
  else if (tls) {
    process.stdout.write(`TLS certificate (${tls.origin}) for ${tls.names.join(', ')}, signed by the local CA ${tls.trustFile}\n`);
    process.stdout.write(`Trust that CA with SSL_CERT_FILE=${tls.trustFile} (gh, Go), NODE_EXTRA_CA_CERTS=${tls.trustFile} (Node) or curl --cacert ${tls.trustFile}\n`);
  }
  if (server.admin.generatedToken) {
    process.stdout.write(`Site admin "${server.admin.login}" created with token: ${server.admin.generatedToken}\n`);
    process.stdout.write('This token is shown only once; set ORGHUB_ADMIN_TOKEN to choose your own.\n');
  }
}

main().catch((error) => {
  process.stderr.write(`orghub: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
