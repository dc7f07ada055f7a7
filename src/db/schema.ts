import type { Generated, Kysely } from 'kysely';

/** Booleans are stored as 0/1 integers and timestamps as GitHub-format ISO strings, alike on SQLite and PostgreSQL. */
export type Flag = 0 | 1;

/** Users and organizations share one table, hence one id sequence, as on GitHub. */
export interface AccountTable {
  id: Generated<number>;
  login: string;
  login_lower: string;
  /** `Bot`: a GitHub App's `{slug}[bot]` account, what its installation tokens act as. */
  type: 'User' | 'Organization' | 'Bot';
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
  /** `classic` (scopes) or `fine-grained` (`github_pat_…`: permissions on one resource owner). */
  kind: Generated<'classic' | 'fine-grained'>;
  /** Fine-grained tokens: the only account they act on. */
  resource_owner_id: number | null;
  /** Fine-grained tokens: JSON `{permission: 'read' | 'write'}`. */
  permissions: string | null;
  /** When the token stops working; null: never. */
  expires_at: string | null;
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
  /** The organization's id, or the app's (`X-GitHub-Hook-Installation-Target-ID`). */
  target_id: number;
  /** `X-GitHub-Hook-Installation-Target-Type`: an org hook's delivery, or an app's (`hook_id` is then the app's id). */
  target_type: Generated<'organization' | 'integration'>;
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

/** An organization's repository (no git hosting: what the repository endpoints and code scanning need). */
export interface RepositoryTable {
  id: Generated<number>;
  org_id: number;
  name: string;
  /** Names are unique per owner case-insensitively, as on GitHub. */
  name_lower: string;
  description: string | null;
  homepage: string | null;
  visibility: 'public' | 'private' | 'internal';
  default_branch: string;
  is_template: Flag;
  archived: Flag;
  /** JSON RepositorySettings (src/repositories/store.ts): feature and merge settings. */
  settings: string;
  /** Code scanning alert numbers given so far (per repository, from 1, never reused). */
  last_alert_number: Generated<number>;
  created_by: number | null;
  created_at: string;
  updated_at: string;
  pushed_at: string;
}

/** A SARIF upload and its processing: a durable job, claimed by one process at a time under a lease. */
export interface SarifUploadTable {
  id: Generated<number>;
  repository_id: number;
  /** The `sarif_id` the API shows. */
  guid: string;
  commit_sha: string;
  ref: string;
  category: string | null;
  tool_name: string | null;
  checkout_uri: string | null;
  /** The upload as sent (gzip + base64); cleared once processed. */
  sarif: string | null;
  uploader_id: number | null;
  /** `pending`: to process (claimed while `claimed_until`, epoch ms, is ahead); `complete`; `failed` (see `errors`). */
  state: 'pending' | 'complete' | 'failed';
  claimed_until: number | null;
  /** Claims so far: each process that took the upload up (a restart after a crash takes it up again). */
  attempts: Generated<number>;
  /** JSON array of messages. */
  errors: string | null;
  created_at: string;
  processed_at: string | null;
}

export type CodeScanningAlertState = 'open' | 'dismissed' | 'fixed';

export interface CodeScanningAlertTable {
  id: Generated<number>;
  org_id: number;
  repository_id: number;
  /** Per repository, from 1. */
  number: number;
  state: CodeScanningAlertState;
  tool_name: string;
  tool_version: string | null;
  tool_guid: string | null;
  /** '' when the upload named none. */
  category: string;
  /** The result's identity within (repository, tool, category): rule + partial fingerprints, else rule + location. */
  fingerprint: string;
  rule_id: string | null;
  rule_name: string;
  rule_description: string;
  rule_full_description: string;
  /** JSON array or null. */
  rule_tags: string | null;
  rule_help: string | null;
  rule_help_uri: string | null;
  severity: 'none' | 'note' | 'warning' | 'error' | null;
  security_severity_level: 'low' | 'medium' | 'high' | 'critical' | null;
  /** The most recent instance: where and in which analysis the result was last seen. */
  ref: string;
  commit_sha: string;
  analysis_key: string;
  environment: string;
  message: string;
  path: string | null;
  start_line: number | null;
  end_line: number | null;
  start_column: number | null;
  end_column: number | null;
  dismissed_by: number | null;
  dismissed_at: string | null;
  dismissed_reason: 'false positive' | "won't fix" | 'used in tests' | 'mitigated' | null;
  dismissed_comment: string | null;
  fixed_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface CodeScanningAlertAssigneeTable {
  alert_id: number;
  user_id: number;
  created_at: string;
}

/** A predefined organization role (src/organization-roles/roles.ts) held by a user directly. */
export interface OrgRoleUserTable {
  org_id: number;
  role_id: number;
  user_id: number;
  created_at: string;
}

/** A predefined organization role held by a team: by its members and the members of the teams nested below it. */
export interface OrgRoleTeamTable {
  org_id: number;
  role_id: number;
  team_id: number;
  created_at: string;
}

/** A registered GitHub App (site admins register them: POST /admin/apps). */
export interface AppTable {
  id: Generated<number>;
  slug: string;
  name: string;
  description: string | null;
  client_id: string;
  /** SHA-256 of the client secret, shown once at registration. */
  client_secret_hash: string;
  /** The HMAC key of the app's deliveries, needed in the clear to sign. */
  webhook_secret: string | null;
  /** SPKI PEM: app JWTs are verified with it (the private key was handed out once, never stored). */
  public_key: string;
  owner_id: number;
  /** The `{slug}[bot]` account installation tokens act as. */
  bot_id: number;
  url: string;
  hook_url: string | null;
  hook_active: Flag;
  redirect_url: string | null;
  public: Flag;
  /** JSON `app-permissions`. */
  permissions: string;
  /** JSON array of event names. */
  events: string;
  created_at: string;
  updated_at: string;
}

export interface InstallationTable {
  id: Generated<number>;
  app_id: number;
  org_id: number;
  repository_selection: 'all' | 'selected';
  /** The app's permissions and events when it was installed (JSON). */
  permissions: string;
  events: string;
  suspended_at: string | null;
  suspended_by: number | null;
  created_at: string;
  updated_at: string;
}

/** The repositories of an installation with `repository_selection` `selected`. */
export interface InstallationRepositoryTable {
  installation_id: number;
  repository_id: number;
}

export interface InstallationTokenTable {
  id: Generated<number>;
  installation_id: number;
  /** SHA-256 of the token; the token itself is never stored. */
  token_hash: string;
  expires_at: string;
  /** JSON `app-permissions`. */
  permissions: string;
  repository_selection: 'all' | 'selected';
  /** JSON array of repository ids when narrowed to some; null: the installation's repositories. */
  repository_ids: string | null;
  created_at: string;
}

/** A security campaign; `number` is per org, from the org's `campaigns` counter. Only published campaigns exist here. */
export interface CampaignTable {
  id: Generated<number>;
  org_id: number;
  number: number;
  name: string;
  description: string;
  contact_link: string | null;
  state: 'open' | 'closed';
  ends_at: string;
  published_at: string;
  closed_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface CampaignManagerTable {
  campaign_id: number;
  user_id: number;
}

export interface CampaignTeamManagerTable {
  campaign_id: number;
  team_id: number;
}

export interface CampaignAlertTable {
  campaign_id: number;
  alert_id: number;
  /** The alert's state and whether it has an assignee, kept with it (src/code-scanning/store.ts `mirrorToCampaigns`). */
  state: 'open' | 'dismissed' | 'fixed';
  assigned: 0 | 1;
}

/** The one row (`id` 1) whose `generation` every change to what tokens stand for increments (src/http/auth/authenticator.ts). */
export interface CallerGenerationTable {
  id: number;
  generation: number;
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
  apps: AppTable;
  installations: InstallationTable;
  installation_repositories: InstallationRepositoryTable;
  installation_tokens: InstallationTokenTable;
  repositories: RepositoryTable;
  code_scanning_sarif_uploads: SarifUploadTable;
  code_scanning_alerts: CodeScanningAlertTable;
  code_scanning_alert_assignees: CodeScanningAlertAssigneeTable;
  org_role_users: OrgRoleUserTable;
  org_role_teams: OrgRoleTeamTable;
  campaigns: CampaignTable;
  campaign_managers: CampaignManagerTable;
  campaign_team_managers: CampaignTeamManagerTable;
  campaign_alerts: CampaignAlertTable;
  caller_generation: CallerGenerationTable;
}

export type DB = Kysely<Database>;
