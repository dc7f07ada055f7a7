import { lockAccount } from '../accounts/store.js';
import type { Account } from '../accounts/store.js';
import { recordEvent } from '../events/record.js';
import { isoSeconds } from '../clock.js';
import type { AppContext } from '../context.js';
import type { Caller } from '../http/auth/index.js';
import { forbidden } from '../http/errors.js';
import { getMembership, setPublic } from '../memberships/store.js';
import { actorOf } from '../members/common.js';
import { isActiveMember } from '../members/service.js';

/**
 * `PUT|DELETE /orgs/{org}/public_members/{username}`: only the user themself, and only for their own active
 * membership, publicizes or conceals it (403 otherwise, owners included). Setting the current value is a no-op.
 */
export async function setMembershipVisibility(ctx: AppContext, org: Account, caller: Caller, username: string, visible: boolean): Promise<void> {
  const verb = visible ? 'publicize' : 'conceal';
  if (username.toLowerCase() !== caller.login.toLowerCase()) throw forbidden(`Only the user can ${verb} their membership`);
  await ctx.db.transaction().execute(async (trx) => {
    await lockAccount(trx, ctx.dialect, org.id);
    const membership = await getMembership(trx, org.id, caller.userId);
    if (!isActiveMember(membership)) throw forbidden(`You must be a member of ${org.login} to ${verb} your membership`);
    if ((membership!.public === 1) === visible) return;
    // GitHub's audit log has no documented action for this; named after its org.* actions.
    const now = isoSeconds(ctx.clock.now());
    await setPublic(trx, org.id, caller.userId, visible, now);
    const actor = actorOf(caller);
    await recordEvent(trx, { action: `org.${verb}_member`, actor, org, user: actor, createdAt: now });
  });
}
