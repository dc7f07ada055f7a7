import { randomUUID } from 'node:crypto';
import type { components } from '@octokit/openapi-webhooks-types';
import type { Kysely } from 'kysely';
import { findAccountById, findAccountsByIds, type Account } from '../accounts/store.js';
import { installation as presentInstallation, installationReference } from '../apps/present.js';
import { installationRepositories } from '../apps/store.js';
import { appDelivery, appTargets } from '../apps/webhooks.js';
import type { Database } from '../db/schema.js';
import { activeHooks, hookEvents, insertDeliveries, insertPayload, type HookRow, type NewDelivery } from '../hooks/store.js';
import { hookSummary } from '../hooks/present.js';
import { nodeId } from '../http/urls.js';
import { presentedInvitationRole } from '../invitations/present.js';
import { parseTeamIds } from '../invitations/store.js';
import { organizationSimple } from '../orgs/present.js';
import { teamSimple } from '../teams/present.js';
import { findTeamById, type TeamRow } from '../teams/store.js';
import { simpleUser } from '../users/present.js';
import { zen } from '../meta/zen.js';
import { webhookRepository } from '../repositories/present.js';
import { webhookAlert } from '../code-scanning/present.js';
import type { ChangeEvent, EventContext } from './record.js';

type Schemas = components['schemas'];

/** What a payload builder may use: the event, the server's URLs, and the accounts it names, loaded on demand. */
interface Build {
  event: ChangeEvent;
  context: EventContext;
  org: Account;
  sender: ReturnType<typeof webhookUser>;
  account(id: number): Promise<Account>;
  /** The change's transaction, for what a payload shows beyond the event's own records. */
  db: Kysely<Database>;
}

/**
 * One audit action's webhook: GitHub's event name and action, its payload, and who hears it: the org's hooks
 * subscribed to the event, or (ping, meta) only the hook the change is about, whatever it subscribes to.
 */
export interface WebhookRule {
  event: string;
  action: string | null;
  onlyTheHook?: boolean;
  /** Heard only by the app of `event.installation` (`installation` events), never by org hooks. */
  onlyTheApp?: boolean;
  payload(build: Build): Promise<object>;
}

/** A user as webhooks show them: a `simple-user` (its `gravatar_id` is always the empty string here). */
function webhookUser(b: Pick<Build, 'context'>, account: Account) {
  // `simple-user` sets neither `name` nor `email`; webhooks' user type does not allow them as null.
  const { name, email, ...shown } = simpleUser(b.context.urls, account);
  return { ...shown, gravatar_id: '', type: account.type };
}
const user = async (b: Build, id: number | undefined) => webhookUser(b, await b.account(id!));
const organization = (b: Build) => organizationSimple(b.context.urls, b.org);

async function orgMembership(b: Build): Promise<Schemas['webhooks_membership']> {
  const { urls } = b.context;
  const member = await user(b, b.event.user?.id);
  return {
    url: `${urls.api}/orgs/${b.org.login}/memberships/${member.login}`,
    state: 'active',
    role: String(b.event.data?.permission ?? 'member'),
    organization_url: `${urls.api}/orgs/${b.org.login}`,
    user: member,
  };
}

/** A team as webhooks show it, with its parent team (read in the change's transaction) when it has one. */
async function team(b: Build): Promise<Schemas['webhooks_team']> {
  const row = b.event.team!;
  const shown = (t: TeamRow) => ({ ...teamSimple(b.context.urls, b.org.login, t), privacy: t.privacy, notification_setting: t.notification_setting });
  const parent = row.parent_id === null ? undefined : await findTeamById(b.db, row.org_id, row.parent_id);
  return { ...shown(row), parent: parent ? shown(parent) : null };
}

/**
 * An edit of a team's name, description, privacy or notification setting, whichever audit actions record it
 * (`team.rename`, `team.change_privacy`, `team.update`): `changes` shows every field the edit changed.
 */
const TEAM_EDITED: WebhookRule = {
  event: 'team',
  action: 'edited',
  async payload(b) {
    const before = b.event.previousTeam!;
    const after = b.event.team!;
    const changes: Schemas['webhook-team-edited']['changes'] = {};
    if (before.name !== after.name) changes.name = { from: before.name };
    if (before.description !== after.description) changes.description = { from: before.description ?? '' };
    if (before.privacy !== after.privacy) changes.privacy = { from: before.privacy };
    if (before.notification_setting !== after.notification_setting) changes.notification_setting = { from: before.notification_setting };
    return { action: 'edited', changes, team: await team(b), organization: organization(b), sender: b.sender } satisfies Schemas['webhook-team-edited'];
  },
};

/** `installation` `created`, `deleted`, `suspend`, `unsuspend`: to the installation's app, with the repositories it reaches. */
function installationRule(action: 'created' | 'deleted' | 'suspend' | 'unsuspend'): WebhookRule {
  return {
    event: 'installation',
    action,
    onlyTheApp: true,
    async payload(b) {
      const row = b.event.installation!;
      const suspendedBy = row.suspended_by === null ? undefined : await b.account(row.suspended_by);
      return {
        action,
        installation: presentInstallation(b.context.urls, row, b.event.app!, { org: b.org, suspendedBy }),
        repositories: (await installationRepositories(b.db, row)).map((repository) => ({
          id: repository.id,
          node_id: nodeId('Repository', repository.id),
          name: repository.name,
          full_name: `${b.org.login}/${repository.name}`,
          private: repository.visibility !== 'public',
        })),
        sender: b.sender,
      } satisfies Schemas['webhook-installation-created'] | Schemas['webhook-installation-deleted'] | Schemas['webhook-installation-suspend'] | Schemas['webhook-installation-unsuspend'];
    },
  };
}

/** The repository an event is about, as webhooks show it. */
const repositoryOf = (b: Build) => webhookRepository(b.context.urls, b.org, b.event.repository!);

/**
 * A `code_scanning_alert` payload without its action. `ref` and `commit_oid` are the analysis' for changes an upload
 * made and empty for a user's, as GitHub's schema says. Each action's type pins which alert fields are null for it,
 * which the stored row cannot show tsc: the rules cast, and the tests check every action's payload against its schema.
 */
async function codeScanningAlert(b: Build, byAnalysis: boolean) {
  const alert = b.event.codeScanningAlert!;
  const dismissedBy = alert.dismissed_by === null ? undefined : await b.account(alert.dismissed_by);
  return {
    alert: webhookAlert(b.context.urls, b.org, b.event.repository!, alert, dismissedBy),
    ref: byAnalysis ? alert.ref : '',
    commit_oid: byAnalysis ? alert.commit_sha : '',
    repository: repositoryOf(b),
    organization: organization(b),
    sender: b.sender,
  };
}

/**
 * Which change becomes which webhook, keyed by the audit action services record (GitHub's names). Adding an event
 * is one entry here.
 */
const WEBHOOKS: Record<string, WebhookRule> = {
  'integration_installation.create': installationRule('created'),
  'integration_installation.destroy': installationRule('deleted'),
  'integration_installation.suspend': installationRule('suspend'),
  'integration_installation.unsuspend': installationRule('unsuspend'),
  'org.invite_member': {
    event: 'organization',
    action: 'member_invited',
    async payload(b) {
      const invitation = b.event.invitation!;
      const invitee = invitation.invitee_id === null ? undefined : await b.account(invitation.invitee_id);
      return {
        action: 'member_invited',
        invitation: {
          id: invitation.id,
          node_id: nodeId('OrganizationInvitation', invitation.id),
          login: invitee?.login ?? null,
          email: invitation.email,
          role: presentedInvitationRole(invitation.role),
          created_at: invitation.created_at,
          failed_at: invitation.failed_at,
          failed_reason: invitation.failed_reason,
          inviter: await user(b, invitation.inviter_id),
          team_count: parseTeamIds(invitation).length,
          invitation_teams_url: `${b.context.urls.api}/organizations/${b.org.id}/invitations/${invitation.id}/teams`,
          invitation_source: invitation.invitation_source,
        },
        ...(invitee ? { user: webhookUser(b, invitee) } : {}),
        organization: organization(b),
        sender: b.sender,
      } satisfies Schemas['webhook-organization-member-invited'];
    },
  },
  'org.add_member': {
    event: 'organization',
    action: 'member_added',
    async payload(b) {
      return { action: 'member_added', membership: await orgMembership(b), organization: organization(b), sender: b.sender } satisfies Schemas['webhook-organization-member-added'];
    },
  },
  'org.remove_member': {
    event: 'organization',
    action: 'member_removed',
    async payload(b) {
      return { action: 'member_removed', membership: await orgMembership(b), organization: organization(b), sender: b.sender } satisfies Schemas['webhook-organization-member-removed'];
    },
  },
  'org.rename': {
    event: 'organization',
    action: 'renamed',
    async payload(b) {
      return {
        action: 'renamed',
        changes: { login: { from: b.event.previousLogin! } },
        organization: organization(b),
        sender: b.sender,
      } satisfies Schemas['webhook-organization-renamed'];
    },
  },
  'org.block_user': {
    event: 'org_block',
    action: 'blocked',
    async payload(b) {
      return { action: 'blocked', blocked_user: await user(b, b.event.user?.id), organization: organization(b), sender: b.sender } satisfies Schemas['webhook-org-block-blocked'];
    },
  },
  'org.unblock_user': {
    event: 'org_block',
    action: 'unblocked',
    async payload(b) {
      return { action: 'unblocked', blocked_user: await user(b, b.event.user?.id), organization: organization(b), sender: b.sender } satisfies Schemas['webhook-org-block-unblocked'];
    },
  },
  'team.add_member': {
    event: 'membership',
    action: 'added',
    async payload(b) {
      return {
        action: 'added',
        scope: 'team',
        member: await user(b, b.event.user?.id),
        team: await team(b),
        organization: organization(b),
        sender: b.sender,
      } satisfies Schemas['webhook-membership-added'];
    },
  },
  'team.remove_member': {
    event: 'membership',
    action: 'removed',
    async payload(b) {
      return {
        action: 'removed',
        scope: 'team',
        member: await user(b, b.event.user?.id),
        team: await team(b),
        organization: organization(b),
        sender: b.sender,
      } satisfies Schemas['webhook-membership-removed'];
    },
  },
  'repo.create': {
    event: 'repository',
    action: 'created',
    async payload(b) {
      return { action: 'created', repository: repositoryOf(b), organization: organization(b), sender: b.sender } satisfies Schemas['webhook-repository-created'];
    },
  },
  'code_scanning_alert.create': {
    event: 'code_scanning_alert',
    action: 'created',
    async payload(b) {
      return { action: 'created', ...(await codeScanningAlert(b, true)) } as Schemas['webhook-code-scanning-alert-created'];
    },
  },
  'code_scanning_alert.fix': {
    event: 'code_scanning_alert',
    action: 'fixed',
    async payload(b) {
      return { action: 'fixed', ...(await codeScanningAlert(b, true)) } as Schemas['webhook-code-scanning-alert-fixed'];
    },
  },
  'code_scanning_alert.reintroduce': {
    event: 'code_scanning_alert',
    action: 'reopened',
    async payload(b) {
      return { action: 'reopened', ...(await codeScanningAlert(b, true)) } as Schemas['webhook-code-scanning-alert-reopened'];
    },
  },
  'code_scanning_alert.dismiss': {
    event: 'code_scanning_alert',
    action: 'closed_by_user',
    async payload(b) {
      return { action: 'closed_by_user', ...(await codeScanningAlert(b, false)) } as Schemas['webhook-code-scanning-alert-closed-by-user'];
    },
  },
  'code_scanning_alert.reopen': {
    event: 'code_scanning_alert',
    action: 'reopened_by_user',
    async payload(b) {
      return { action: 'reopened_by_user', ...(await codeScanningAlert(b, false)) } as Schemas['webhook-code-scanning-alert-reopened-by-user'];
    },
  },
  'team.create': {
    event: 'team',
    action: 'created',
    async payload(b) {
      return { action: 'created', team: await team(b), organization: organization(b), sender: b.sender } satisfies Schemas['webhook-team-created'];
    },
  },
  'team.rename': TEAM_EDITED,
  'team.change_privacy': TEAM_EDITED,
  'team.update': TEAM_EDITED,
  'team.destroy': {
    event: 'team',
    action: 'deleted',
    async payload(b) {
      return { action: 'deleted', team: { ...(await team(b)), deleted: true }, organization: organization(b), sender: b.sender } satisfies Schemas['webhook-team-deleted'];
    },
  },
  'hook.create': {
    event: 'ping',
    action: null,
    onlyTheHook: true,
    async payload(b) {
      const hook = b.event.hook!;
      return {
        zen: zen(hook.id),
        hook_id: hook.id,
        hook: hookSummary(b.context.urls, b.org.login, hook),
        organization: organization(b),
        sender: b.sender,
      } satisfies Schemas['webhook-ping'];
    },
  },
  'hook.destroy': {
    event: 'meta',
    action: 'deleted',
    onlyTheHook: true,
    async payload(b) {
      const hook = b.event.hook!;
      const { type, id, name, active, events, config, created_at, updated_at } = hookSummary(b.context.urls, b.org.login, hook);
      return {
        action: 'deleted',
        hook_id: hook.id,
        hook: { type, id, name, active, events: events as Schemas['webhook-meta-deleted']['hook']['events'], config: config as Schemas['webhook-meta-deleted']['hook']['config'], created_at, updated_at },
        organization: organization(b),
        sender: b.sender,
      } satisfies Schemas['webhook-meta-deleted'];
    },
  },
};

/** The webhook an audit action becomes, if any. */
export const webhookFor = (action: string): WebhookRule | undefined => WEBHOOKS[action];

/** `POST /orgs/{org}/hooks/{hook_id}/pings`: a ping to one hook, recorded like the ping of its creation. */
export const PING = WEBHOOKS['hook.create'];

function hears(hook: HookRow, rule: WebhookRule, event: ChangeEvent): boolean {
  if (rule.onlyTheHook) return hook.id === event.hook?.id;
  const events = hookEvents(hook);
  return events.includes('*') || events.includes(rule.event);
}

/** The org hooks and app hooks that hear an event under `rule`. */
async function targetsOf(trx: Kysely<Database>, event: ChangeEvent & { org: NonNullable<ChangeEvent['org']> }, rule: WebhookRule) {
  // An inactive hook hears nothing, not even what is only for it (ping, meta).
  const hooks = rule.onlyTheApp
    ? []
    : rule.onlyTheHook && event.hook
      ? [event.hook].filter((hook) => hook.active === 1)
      : (await activeHooks(trx, event.org.id)).filter((hook) => hears(hook, rule, event));
  // Apps hear their installations' events on their own hook (an org hook's ping or meta is not theirs).
  const apps = rule.onlyTheHook ? [] : await appTargets(trx, event, rule.event);
  return { hooks, apps };
}

/**
 * Whether any hook or app hears events of this action in this org: what they hear depends on the org and the event's
 * name only (hooks' and installations' subscriptions), so one answer serves a batch of such events.
 */
export async function someoneHears(trx: Kysely<Database>, event: ChangeEvent): Promise<boolean> {
  const rule = WEBHOOKS[event.action];
  if (!rule || !event.org) return false;
  const { hooks, apps } = await targetsOf(trx, { ...event, org: event.org }, rule);
  return hooks.length > 0 || apps.length > 0;
}

/** Writes the deliveries of one recorded event: one per hook that hears it, all sharing the event's GUID. */
export async function enqueueWebhooks(trx: Kysely<Database>, context: EventContext, event: ChangeEvent, rule = WEBHOOKS[event.action]): Promise<void> {
  if (!rule || !event.org) return;
  const { hooks, apps } = await targetsOf(trx, { ...event, org: event.org }, rule);
  if (hooks.length === 0 && apps.length === 0) return;
  // The accounts payloads show most (org, sender, user) in one round trip; any other is loaded when asked for.
  const shown = [event.org.id, event.actor?.id, event.user?.id].filter((id): id is number => id !== undefined);
  const accounts = new Map((await findAccountsByIds(trx, shown)).map((found) => [found.id, found]));
  const account = async (id: number) => {
    let found = accounts.get(id);
    if (!found) {
      found = await findAccountById(trx, id);
      if (!found) throw new Error(`recordEvent: account ${id} not found`);
      accounts.set(id, found);
    }
    return found;
  };
  const org = await account(event.org.id);
  const sender = webhookUser({ context }, event.actor ? await account(event.actor.id) : org);
  const payload = (await rule.payload({ event, context, org, sender, account, db: trx })) as { installation?: unknown };
  const guid = randomUUID();
  const delivery = { guid, event: rule.event, action: rule.action, createdAt: event.createdAt };
  context.deliveriesRecorded();
  if (hooks.length > 0) {
    const payloadId = await insertPayload(trx, JSON.stringify(payload), event.createdAt);
    await insertDeliveries(trx, hooks.map((hook) => newDelivery(hook, { ...delivery, payloadId })));
  }
  for (const target of apps) {
    // An app's payload says which of its installations the event is about (`installation` events show it whole).
    const shown = payload.installation ? payload : { ...payload, installation: installationReference(target.installationId) };
    const payloadId = await insertPayload(trx, JSON.stringify(shown), event.createdAt);
    await insertDeliveries(trx, [appDelivery(target, { ...delivery, payloadId })]);
  }
}

/** A delivery of the payload `payloadId` to `hook` as it is configured now, waiting to be sent. */
export function newDelivery(
  hook: HookRow,
  d: { guid: string; event: string; action: string | null; payloadId: number; createdAt: string; redelivery?: boolean },
): NewDelivery {
  return {
    hook_id: hook.id,
    guid: d.guid,
    event: d.event,
    action: d.action,
    redelivery: d.redelivery ? 1 : 0,
    url: hook.url,
    content_type: hook.content_type,
    insecure_ssl: hook.insecure_ssl,
    secret: hook.secret,
    target_id: hook.org_id,
    payload_id: d.payloadId,
    state: 'pending',
    claimed_until: null,
    created_at: d.createdAt,
  };
}
