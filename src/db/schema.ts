import type { Generated, Kysely } from 'kysely';

/** Booleans are stored as 0/1 integers and timestamps as GitHub-format ISO strings, alike on SQLite and PostgreSQL. */
export type Flag = 0 | 1;

/** Users and organizations share one table, hence one id sequence, as on GitHub. */
export interface AccountTable {
  id: Generated<number>;
  login: string;
  login_lower: string;
  type: 'User' | 'Organization';
  name: string | null;
  email: string | null;
  company: string | null;
  blog: string | null;
  location: string | null;
  bio: string | null;
  twitter_username: string | null;
  description: string | null;
  site_admin: Flag;
  /** `enabled`, `disabled` or `insecure` (2FA with SMS only): what the members `filter` reads. */
  two_factor: string;
  suspended: Flag;
  /** Organizations: SAML SSO is enforced, so members' tokens need a credential authorization (orghub extension). */
  saml_sso_enforced: Generated<Flag>;
  /** Organization settings (PATCH /orgs/{org} fields), JSON; null for users. */
  settings: string | null;
  created_at: string;
  updated_at: string;
}

export interface TokenTable {
  id: Generated<number>;
  user_id: number;
  /** SHA-256 of the token; the token itself is never stored. */
  token_hash: string;
  token_last_eight: string;
  scopes: string;
  created_at: string;
  updated_at: string;
}

export interface MembershipTable {
  org_id: number;
  user_id: number;
  role: 'admin' | 'member' | 'billing_manager';
  state: 'active' | 'pending';
  public: Flag;
  created_at: string;
  updated_at: string;
}

export interface AuditEventTable {
  id: Generated<number>;
  action: string;
  /** The action up to its first dot (`org` of `org.add_member`): what `action:org` searches. */
  category: string;
  actor_id: number | null;
  actor: string | null;
  org_id: number | null;
  org: string | null;
  user_id: number | null;
  user: string | null;
  /** `org/team-slug` and `org/repo` of events about a team or repository, lower-cased: what `team:` and `repo:` search. */
  team: string | null;
  repo: string | null;
  /** Further event fields, JSON. */
  data: string | null;
  created_at: string;
}

/** A classic token a member used on an org that enforces SAML SSO: orghub's stand-in for the SSO authorization. */
export interface CredentialAuthorizationTable {
  /** `credential_id`. */
  id: Generated<number>;
  org_id: number;
  token_id: number;
  user_id: number;
  authorized_at: string;
  /** Kept current in batches (src/credential-authorizations/enforcement.ts). */
  accessed_at: string;
  /** Set when an owner revoked it. */
  revoked_at: string | null;
}

export interface RateLimitTable {
  /** `user:ID` or `ip:ADDRESS`. */
  subject: string;
  resource: string;
  /** Epoch seconds at which the window resets. */
  reset_at: number;
  used: number;
}

export interface InvitationTable {
  id: Generated<number>;
  org_id: number;
  invitee_id: number | null;
  email: string | null;
  email_lower: string | null;
  /** direct_member | admin | billing_manager | reinstate */
  role: string;
  inviter_id: number;
  invitation_source: string;
  state: 'pending' | 'accepted' | 'cancelled' | 'failed';
  /** JSON array of team ids joined on acceptance. */
  team_ids: string;
  created_at: string;
  expires_at: string;
  failed_at: string | null;
  failed_reason: string | null;
  updated_at: string;
}

export interface TeamTable {
  id: Generated<number>;
  org_id: number;
  name: string;
  slug: string;
  description: string | null;
  privacy: 'closed' | 'secret';
  notification_setting: 'notifications_enabled' | 'notifications_disabled';
  permission: string;
  parent_id: number | null;
  created_at: string;
  updated_at: string;
}

export interface TeamMemberTable {
  team_id: number;
  user_id: number;
  role: 'member' | 'maintainer';
  state: 'active' | 'pending';
  created_at: string;
}

export interface OrgUserTable {
  org_id: number;
  user_id: number;
  created_at: string;
}

export interface CustomRoleTable {
  id: Generated<number>;
  org_id: number;
  name: string;
  name_lower: string;
  description: string | null;
  base_role: 'read' | 'triage' | 'write' | 'maintain';
  /** JSON array of fine-grained permission names. */
  permissions: string;
  created_at: string;
  updated_at: string;
}

export interface OrgCounterTable {
  org_id: number;
  name: string;
  value: number;
}

/** An organization's webhook; GitHub has one kind (`name` is always `web`). */
export interface HookTable {
  id: Generated<number>;
  org_id: number;
  active: Flag;
  /** JSON array of event names; `*` is every event. */
  events: string;
  url: string;
  content_type: 'json' | 'form';
  insecure_ssl: '0' | '1';
  /** The HMAC key, needed in the clear to sign deliveries; never shown by the API. */
  secret: string | null;
  created_at: string;
  updated_at: string;
}

export interface HookPayloadTable {
  id: Generated<number>;
  /** The JSON body every delivery of one event sends. */
  payload: string;
  created_at: string;
}

export interface HookDeliveryTable {
  id: Generated<number>;
  hook_id: number;
  /** Shared by every delivery of one event (and by its redeliveries). */
  guid: string;
  event: string;
  action: string | null;
  redelivery: Flag;
  /** The target as it was when the delivery was made. */
  url: string;
  content_type: 'json' | 'form';
  insecure_ssl: '0' | '1';
  secret: string | null;
  /** The organization's id (`X-GitHub-Hook-Installation-Target-ID`). */
  target_id: number;
  /** The event's payload (`hook_payloads`), shared by its deliveries and redeliveries. */
  payload_id: number;
  /** `pending`: not yet attempted; `sending`: claimed by a process until `claimed_until` (epoch ms); `done`: attempted. */
  state: 'pending' | 'sending' | 'done';
  claimed_until: number | null;
  created_at: string;
  delivered_at: string | null;
  /** Seconds. */
  duration: number | null;
  status: string | null;
  status_code: number | null;
  /** JSON objects. */
  request_headers: string | null;
  response_headers: string | null;
  response_body: string | null;
}

export interface Database {
  accounts: AccountTable;
  tokens: TokenTable;
  memberships: MembershipTable;
  audit_events: AuditEventTable;
  credential_authorizations: CredentialAuthorizationTable;
  rate_limits: RateLimitTable;
  invitations: InvitationTable;
  teams: TeamTable;
  team_members: TeamMemberTable;
  blocks: OrgUserTable;
  outside_collaborators: OrgUserTable;
  custom_roles: CustomRoleTable;
  org_counters: OrgCounterTable;
  hooks: HookTable;
  hook_deliveries: HookDeliveryTable;
  hook_payloads: HookPayloadTable;
}

export type DB = Kysely<Database>;
