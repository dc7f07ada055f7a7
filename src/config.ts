import type { Clock } from './clock.js';
import { systemClock } from './clock.js';

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
  /** Largest accepted request body, in bytes. */
  bodyLimit: number;
  /** How long a process trusts a token it has looked up (revocations elsewhere take this long to be seen). */
  authCacheMs: number;
  /** How often batched rate-limit counts are written to the database. */
  rateLimitFlushMs: number;
  clock: Clock;
  logger: boolean | { level: string };
}

export const defaultConfig: Config = {
  databaseUrl: 'sqlite:./data/orghub.db',
  adminLogin: 'admin',
  rateLimit: { authenticated: 5000, anonymous: 60, windowSeconds: 3600 },
  bodyLimit: 1024 * 1024,
  authCacheMs: 1000,
  rateLimitFlushMs: 200,
  clock: systemClock,
  logger: false,
};

export type ConfigInput = Partial<Omit<Config, 'rateLimit'>> & { rateLimit?: Partial<Config['rateLimit']> };

const defined = <T extends object>(o: T | undefined): Partial<T> =>
  Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;

export function resolveConfig(input: ConfigInput = {}): Config {
  return {
    ...defaultConfig,
    ...defined(input),
    rateLimit: { ...defaultConfig.rateLimit, ...defined(input.rateLimit) },
  } as Config;
}

/** Reads the documented environment variables (README lists them). */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ConfigInput {
  const int = (name: string) => (env[name] !== undefined && env[name] !== '' ? Number.parseInt(env[name]!, 10) : undefined);
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
    bodyLimit: int('ORGHUB_BODY_LIMIT'),
    logger: env.ORGHUB_LOG_LEVEL ? { level: env.ORGHUB_LOG_LEVEL } : undefined,
  };
}
