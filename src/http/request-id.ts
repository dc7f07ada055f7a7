import { randomFillSync } from 'node:crypto';

const IDS_PER_FILL = 512;
const pool = Buffer.alloc(8 * IDS_PER_FILL);
let offset = pool.length;

/**
 * `X-GitHub-Request-Id` values as GitHub shapes them (`1A2B:3C4D:5E6F:7A8B`), from a pooled random buffer:
 * one call into the CSPRNG per 512 requests instead of one per request.
 */
export function requestId(): string {
  if (offset === pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const hex = pool.toString('hex', offset, offset + 8).toUpperCase();
  offset += 8;
  return `${hex.slice(0, 4)}:${hex.slice(4, 8)}:${hex.slice(8, 12)}:${hex.slice(12, 16)}`;
}
