/** orghub as a library: build the server in-process (tests, users' own suites) or start it listening. */
export { buildServer, startServer, type OrghubServer, type RunningServer } from './server.js';
export { ManualClock, systemClock, type Clock } from './clock.js';
export { configFromEnv, resolveConfig, type Config, type ConfigInput } from './config.js';
