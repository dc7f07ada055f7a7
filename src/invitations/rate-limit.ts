import type { Kysely } from 'kysely';
import type { Account } from '../accounts/store.js';
import { isoSeconds } from '../clock.js';
import type { Database } from '../db/schema.js';
import { parseOrgSettings } from '../orgs/settings.js';
import { enforceSecondaryLimit } from '../ratelimit/secondary.js';
import { invitationsSentSince } from './store.js';

const WINDOW_MS = 24 * 60 * 60 * 1000;

/** Invitations per org per 24 hours (ORGHUB_INVITATION_LIMIT, ORGHUB_INVITATION_LIMIT_ESTABLISHED); 0: no limit. */
export interface InvitationLimit {
  /** Orgs on the free plan younger than a month. */
  newOrgs: number;
  /** Orgs a month old or more, or on a paid plan. */
  establishedOrgs: number;
}

/** GitHub's documented limit: 50 invitations per org per 24 hours, 500 once the org is a month old or on a paid plan. */
export const defaultInvitationLimit: InvitationLimit = { newOrgs: 50, establishedOrgs: 500 };

/** The org's limit under the deployment's settings; 0: none. */
export function invitationLimitFor(org: Pick<Account, 'created_at' | 'settings'>, now: Date, limits: InvitationLimit): number {
  const monthAgo = new Date(now);
  monthAgo.setUTCMonth(monthAgo.getUTCMonth() - 1);
  const established = parseOrgSettings(org.settings).plan !== 'free' || Date.parse(org.created_at) <= monthAgo.getTime();
  return established ? limits.establishedOrgs : limits.newOrgs;
}

/**
 * Refuses one more invitation once the org has sent its limit within the last 24 hours. Every way of inviting
 * counts (POST invitations, PUT memberships, PUT team memberships). The caller holds `lockAccount`, so concurrent
 * invitations cannot overshoot.
 */
export async function enforceInvitationRateLimit(db: Kysely<Database>, org: Account, now: Date, requestId: string, limits: InvitationLimit): Promise<void> {
  const limit = invitationLimitFor(org, now, limits);
  if (limit === 0) return;
  const usage = await invitationsSentSince(db, org.id, isoSeconds(new Date(now.getTime() - WINDOW_MS)));
  enforceSecondaryLimit({ limit, windowMs: WINDOW_MS, status: 403 }, usage, now, requestId);
}
