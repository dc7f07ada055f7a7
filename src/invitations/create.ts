import { findAccountById, lockAccount, type Account } from '../accounts/store.js';
import { isBlocked } from '../blocks/store.js';
import type { AppContext } from '../context.js';
import type { Caller } from '../http/auth/index.js';
import { ApiError, validationFailed } from '../http/errors.js';
import { getMembership } from '../memberships/store.js';
import { teamsOfOrgByIds } from '../teams/store.js';
import { expireDueInvitationsInOrg } from './expiry.js';
import { sendInvitation, type Invitee } from './service.js';
import {
  findUserByEmail,
  getInvitationView,
  pendingEmailInvitationsInOrg,
  pendingInvitationsFor,
  wasRemovedFrom,
  type InvitationRole,
  type InvitationView,
} from './store.js';

/** GitHub's 422 for a refused invitation: one `unprocessable` error on the `data` field. */
const unprocessable = (message: string) =>
  validationFailed([{ resource: 'OrganizationInvitation', code: 'unprocessable', field: 'data', message }]);
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface InvitationRequest {
  invitee_id?: number;
  email?: string;
  role?: InvitationRole;
  team_ids?: number[];
}

/** Who an invitation request names: a user by id, or an email address (the user who has it, if one does). */
async function resolveInvitee(ctx: AppContext, body: InvitationRequest): Promise<Invitee> {
  if (body.invitee_id !== undefined && body.email !== undefined) throw unprocessable('Invite can only be delivered to either user or email');
  if (body.invitee_id !== undefined) {
    const user = await findAccountById(ctx.db, body.invitee_id);
    if (!user) throw new ApiError(422, 'Invalid invitee_id');
    if (user.type !== 'User') throw unprocessable('Invitee must be a user');
    return { user, email: null };
  }
  if (body.email === undefined) throw unprocessable('Invite requires either user or email');
  const email = body.email.trim();
  if (!EMAIL.test(email) || email.length > 100 || email.startsWith('mailto:')) throw unprocessable('Invite must be for a valid email address');
  // An address that belongs to a user invites that user, so the invitation shows their login and follows them.
  return { user: (await findUserByEmail(ctx.db, email)) ?? null, email };
}

/** `POST /orgs/{org}/invitations`. */
export async function createInvitation(
  ctx: AppContext,
  input: { org: Account; caller: Caller; requestId: string; body: InvitationRequest },
): Promise<InvitationView> {
  const { org, body } = input;
  const role = body.role ?? 'direct_member';
  const invitee = await resolveInvitee(ctx, body);
  const teamIds = [...new Set(body.team_ids ?? [])];
  if (role === 'reinstate' && teamIds.length > 0) throw unprocessable('Invite may not specify teams while reinstating');
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    await lockAccount(trx, ctx.dialect, org.id);
    await expireDueInvitationsInOrg(trx, org.id, now);
    const teams = await teamsOfOrgByIds(trx, org.id, teamIds);
    if (teams.length !== teamIds.length) throw unprocessable('All teams on the invitation must be on this organization');
    const { user, email } = invitee;
    if (user) {
      if ((await getMembership(trx, org.id, user.id))?.state === 'active') {
        throw unprocessable(email ? 'A user with this email address is already a part of this organization' : 'Invitee is already a part of this organization');
      }
      if (await isBlocked(trx, org.id, user.id)) throw unprocessable('The invitee must not be blocked by the organization');
      if (role === 'reinstate' && !(await wasRemovedFrom(trx, org.id, user.id))) throw new ApiError(422, 'No previous privileges to reinstate');
    }
    const pending = user ? await pendingInvitationsFor(trx, org.id, user) : await pendingEmailInvitationsInOrg(trx, org.id, email!);
    // GitHub's description of this rule is silent; one pending invitation per person keeps the one membership record whole.
    if (pending.length > 0) throw unprocessable('Invitee already has a pending invitation to this organization');
    const invitation = await sendInvitation(
      ctx,
      trx,
      { org, inviter: input.caller, requestId: input.requestId, invitee, role, teams: teams.map((team) => ({ team, role: 'member' })) },
      now,
    );
    return getInvitationView(trx, invitation);
  });
}
