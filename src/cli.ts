#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { configFromEnv } from './config.js';
import { startServer, type RunningServer } from './server.js';

const HELP = `Usage: orghub [options]

Serves GitHub's REST API for organizations.

Options:
  --port PORT          port to listen on (env PORT, default 3000; 0 picks a free one)
  --host HOST          address to listen on (env HOST, default 127.0.0.1)
  --database URL       sqlite:PATH, sqlite::memory: or postgres://… (env ORGHUB_DATABASE_URL,
                       default sqlite:./data/orghub.db)
  --base-url URL       base of every *_url in responses (env ORGHUB_BASE_URL, default http://HOST:PORT)
  --html-url URL       base of every html_url (env ORGHUB_HTML_URL, default the base URL)
  --admin-login LOGIN  site admin created on an empty database (env ORGHUB_ADMIN_LOGIN, default admin)
  --admin-token TOKEN  that admin's token (env ORGHUB_ADMIN_TOKEN, default a random ghp_… token, printed once)
  --log-level LEVEL    pino log level (env ORGHUB_LOG_LEVEL; logging is off by default)
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
  });
  process.stdout.write(`orghub listening on ${server.url} (${server.ctx.dialect})\n`);
  if (server.admin.generatedToken) {
    process.stdout.write(`Site admin "${server.admin.login}" created with token: ${server.admin.generatedToken}\n`);
    process.stdout.write('This token is shown only once; set ORGHUB_ADMIN_TOKEN to choose your own.\n');
  }
}

main().catch((error) => {
  process.stderr.write(`orghub: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
