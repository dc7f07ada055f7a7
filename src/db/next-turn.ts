/**
 * Resolves after the event loop has polled for I/O once: requests that arrived meanwhile are handled first. Background
 * writers (webhook deliveries, rate-limit counts, credential access times) await it between their statements, so a
 * request waits for one small statement at most, never for a whole batch (better-sqlite3 runs each one synchronously).
 */
export const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
