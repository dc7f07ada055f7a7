import { ApiError } from '../http/errors.js';

/** Writes of one kind an org made within a sliding window: how many, and when the oldest of them was. */
export interface WindowUsage {
  count: number;
  /** ISO time of the oldest write in the window (null when there is none). */
  oldest: string | null;
}

/** A secondary rate limit on one kind of write: at most `limit` per `windowMs` (0: no limit), refused with `status`. */
export interface SecondaryLimit {
  limit: number;
  windowMs: number;
  /** GitHub answers most secondary limits with 403, some (campaign creation) with 429. */
  status: 403 | 429;
}

/**
 * Refuses one more write once `usage` reached the limit, with `Retry-After` when the oldest write leaves the window.
 * The caller holds a lock that serializes these writes for the org, so concurrent ones cannot overshoot.
 */
export function enforceSecondaryLimit(rule: SecondaryLimit, usage: WindowUsage, now: Date, requestId: string): void {
  if (rule.limit === 0 || usage.count < rule.limit) return;
  const retryAfter = Math.max(1, Math.ceil((Date.parse(usage.oldest!) + rule.windowMs - now.getTime()) / 1000));
  // GitHub's secondary rate limit message (Octokit's throttling plugin keys on it).
  throw new ApiError(
    rule.status,
    'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. ' +
      `If you reach out to GitHub Support for help, please include the request ID ${requestId}.`,
    {
      documentationUrl: 'https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits',
      headers: { 'Retry-After': String(retryAfter) },
    },
  );
}
