import { findAccount, type Account } from '../accounts/store.js';
import { isoSeconds } from '../clock.js';
import type { AppContext } from '../context.js';
import { recordEvent } from '../events/record.js';
import type { Caller, GrantedPermissions } from '../http/auth/index.js';
import { invalidField, notFound } from '../http/errors.js';
import { componentSchema } from '../http/openapi.js';
import { getMembership } from '../memberships/store.js';
import { generateFineGrainedToken, insertFineGrainedToken } from '../tokens/store.js';
import { actorOf } from './service.js';

export const FINE_GRAINED_TOKEN_RESOURCE = 'FineGrainedPersonalAccessToken';

/**
 * The `permissions` a fine-grained token may be given: GitHub's `app-permissions` names, each at the levels it has
 * among `read`/`write` (orghub checks no `admin` level), plus `organization_campaigns`, which the description lacks.
 */
function grantablePermissions(): object {
  const properties: Record<string, object> = {};
  for (const [name, schema] of Object.entries<{ enum?: string[] }>(componentSchema('app-permissions').properties)) {
    properties[name] = { type: 'string', enum: (schema.enum ?? []).filter((level) => level === 'read' || level === 'write') };
  }
  properties.organization_campaigns = { type: 'string', enum: ['read', 'write'] };
  return { type: 'object', additionalProperties: false, properties };
}

/** Body of `POST /admin/users/{username}/fine-grained-tokens`. */
export const fineGrainedTokenBody = {
  type: 'object',
  additionalProperties: false,
  required: ['resource_owner', 'permissions'],
  properties: {
    resource_owner: { type: 'string' },
    permissions: grantablePermissions(),
    expires_at: { type: ['string', 'null'], format: 'date-time' },
  },
};

export interface FineGrainedTokenRequest {
  resource_owner: string;
  permissions: GrantedPermissions;
  expires_at?: string | null;
}

export interface CreatedFineGrainedToken {
  id: number;
  token: string;
  user: Account;
  resourceOwner: Account;
  permissions: GrantedPermissions;
  expiresAt: string | null;
  createdAt: string;
}

/**
 * A fine-grained token of `username` (shown once; only its hash is kept). As on GitHub its resource owner is the user
 * or an organization the user is an active member of, and it expires in the future or never.
 */
export async function createFineGrainedToken(
  ctx: AppContext,
  caller: Caller,
  username: string,
  body: FineGrainedTokenRequest,
): Promise<CreatedFineGrainedToken> {
  const user = await findAccount(ctx.db, username, 'User');
  if (!user) throw notFound();
  const owner = await findAccount(ctx.db, body.resource_owner);
  const now = ctx.clock.now();
  const ownedByUser = owner?.id === user.id;
  const member = owner?.type === 'Organization' && (await getMembership(ctx.db, owner.id, user.id))?.state === 'active';
  if (!owner || !(ownedByUser || member)) {
    throw invalidField(FINE_GRAINED_TOKEN_RESOURCE, 'resource_owner', 'invalid', `${body.resource_owner} is not the user or an organization the user is a member of`);
  }
  const expiresAt = body.expires_at ? isoSeconds(new Date(body.expires_at)) : null;
  if (expiresAt !== null && Date.parse(expiresAt) <= now.getTime()) {
    throw invalidField(FINE_GRAINED_TOKEN_RESOURCE, 'expires_at', 'invalid', 'expires_at must be in the future');
  }
  const token = generateFineGrainedToken();
  const createdAt = isoSeconds(now);
  const row = await ctx.db.transaction().execute(async (trx) => {
    const inserted = await insertFineGrainedToken(trx, {
      userId: user.id,
      token,
      resourceOwnerId: owner.id,
      permissions: JSON.stringify(body.permissions),
      expiresAt,
      now: createdAt,
    });
    // GitHub's audit action for a fine-grained token given access to an organization's resources.
    await recordEvent(trx, {
      action: 'personal_access_token.access_granted',
      actor: actorOf(caller),
      user,
      org: member ? owner : null,
      data: { permissions: body.permissions, expires_at: expiresAt },
      createdAt,
    });
    return inserted;
  });
  return { id: row.id, token, user, resourceOwner: owner, permissions: body.permissions, expiresAt, createdAt };
}
