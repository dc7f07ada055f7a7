import type { components } from '../generated/openapi.js';
import type { components as webhookComponents } from '@octokit/openapi-webhooks-types';
import type { Account } from '../accounts/store.js';
import type { Urls } from '../http/urls.js';
import { simpleRepository } from '../repositories/present.js';
import type { RepositoryRow } from '../repositories/store.js';
import { simpleUser } from '../users/present.js';
import type { CodeScanningAlertRow, SarifUploadRow } from './store.js';

type Alert = components['schemas']['code-scanning-alert'];
type AlertItem = components['schemas']['code-scanning-alert-items'];
type OrgAlertItem = components['schemas']['code-scanning-organization-alert-items'];
type SarifStatus = components['schemas']['code-scanning-sarifs-status'];

/** The accounts alerts show (who dismissed them, their assignees), loaded for a page at once. */
export interface AlertPeople {
  accounts: Map<number, Account>;
  /** Assignee ids per alert id. */
  assignees: Map<number, number[]>;
}

function repositoryPath(owner: Account, repo: RepositoryRow): string {
  return `${owner.login}/${repo.name}`;
}

export function alertUrl(urls: Urls, owner: Account, repo: RepositoryRow, number: number): string {
  return `${urls.api}/repos/${repositoryPath(owner, repo)}/code-scanning/alerts/${number}`;
}

function rule(alert: CodeScanningAlertRow) {
  return {
    id: alert.rule_id,
    severity: alert.severity,
    security_severity_level: alert.security_severity_level,
    description: alert.rule_description,
    name: alert.rule_name,
    full_description: alert.rule_full_description,
    tags: alert.rule_tags === null ? null : (JSON.parse(alert.rule_tags) as string[]),
    help: alert.rule_help,
    help_uri: alert.rule_help_uri,
  };
}

function mostRecentInstance(alert: CodeScanningAlertRow) {
  return {
    ref: alert.ref,
    analysis_key: alert.analysis_key,
    environment: alert.environment,
    category: alert.category,
    state: alert.state,
    commit_sha: alert.commit_sha,
    message: { text: alert.message },
    location: {
      ...(alert.path !== null && { path: alert.path }),
      ...(alert.start_line !== null && { start_line: alert.start_line }),
      ...(alert.end_line !== null && { end_line: alert.end_line }),
      ...(alert.start_column !== null && { start_column: alert.start_column }),
      ...(alert.end_column !== null && { end_column: alert.end_column }),
    },
    classifications: [],
  };
}

/** What the REST shapes and the webhooks show alike of an alert: its number, times, URLs and state. */
function alertIdentity(urls: Urls, owner: Account, repo: RepositoryRow, alert: CodeScanningAlertRow) {
  const url = alertUrl(urls, owner, repo, alert.number);
  return {
    number: alert.number,
    created_at: alert.created_at,
    updated_at: alert.updated_at,
    url,
    html_url: `${urls.html}/${repositoryPath(owner, repo)}/security/code-scanning/${alert.number}`,
    instances_url: `${url}/instances`,
    state: alert.state,
  };
}

/** `code-scanning-alert`, also what the repository list shows of each alert (`code-scanning-alert-items`, the same fields). */
export function presentAlert(urls: Urls, owner: Account, repo: RepositoryRow, alert: CodeScanningAlertRow, people: AlertPeople): Alert & AlertItem {
  const dismissedBy = alert.dismissed_by === null ? undefined : people.accounts.get(alert.dismissed_by);
  return {
    ...alertIdentity(urls, owner, repo, alert),
    fixed_at: alert.fixed_at,
    dismissed_by: dismissedBy ? simpleUser(urls, dismissedBy) : null,
    dismissed_at: alert.dismissed_at,
    dismissed_reason: alert.dismissed_reason,
    dismissed_comment: alert.dismissed_comment,
    rule: rule(alert),
    tool: { name: alert.tool_name, version: alert.tool_version, guid: alert.tool_guid },
    most_recent_instance: mostRecentInstance(alert),
    dismissal_approved_by: null,
    assignees: (people.assignees.get(alert.id) ?? []).flatMap((id) => {
      const account = people.accounts.get(id);
      return account ? [simpleUser(urls, account)] : [];
    }),
  };
}

/**
 * `code-scanning-organization-alert-items`: the org list, each alert with its repository. A page shows few
 * repositories many times: each is built once per page (`shown`).
 */
export function orgAlertItems(urls: Urls, owner: Account, repositories: Map<number, RepositoryRow>, alerts: CodeScanningAlertRow[], people: AlertPeople): OrgAlertItem[] {
  const shown = new Map<number, ReturnType<typeof simpleRepository>>();
  return alerts.map((alert) => {
    const repo = repositories.get(alert.repository_id)!;
    let repository = shown.get(repo.id);
    if (!repository) shown.set(repo.id, (repository = simpleRepository(urls, owner, repo)));
    return { ...presentAlert(urls, owner, repo, alert, people), repository };
  });
}

/** `code-scanning-sarifs-status`. */
export function sarifStatus(urls: Urls, owner: Account, repo: RepositoryRow, upload: SarifUploadRow): SarifStatus {
  return {
    processing_status: upload.state,
    analyses_url: upload.state === 'complete' ? `${urls.api}/repos/${repositoryPath(owner, repo)}/code-scanning/analyses?sarif_id=${upload.guid}` : null,
    errors: upload.errors === null ? null : (JSON.parse(upload.errors) as string[]),
  };
}

type WebhookAlert = webhookComponents['schemas']['webhook-code-scanning-alert-created']['alert'];

/** An alert as `code_scanning_alert` webhooks show it (the payload types differ per action in nullability only). */
export function webhookAlert(urls: Urls, owner: Account, repo: RepositoryRow, alert: CodeScanningAlertRow, dismissedBy: Account | undefined) {
  const shown = rule(alert);
  return {
    ...alertIdentity(urls, owner, repo, alert),
    // Every `code_scanning_alert` webhook schema has `fixed_at` null: the action tells that it was fixed.
    fixed_at: null,
    dismissed_by: dismissedBy ? { ...simpleUser(urls, dismissedBy), name: undefined, email: undefined } : null,
    dismissed_at: alert.dismissed_at,
    dismissed_reason: alert.dismissed_reason,
    dismissed_comment: alert.dismissed_comment,
    rule: {
      id: shown.id ?? '',
      severity: shown.severity,
      description: shown.description,
      name: shown.name,
      full_description: shown.full_description,
      tags: shown.tags,
      help: shown.help,
      help_uri: shown.help_uri,
    },
    tool: { name: alert.tool_name, version: alert.tool_version, guid: alert.tool_guid },
    most_recent_instance: { ...mostRecentInstance(alert), message: { text: alert.message } },
  } satisfies Omit<WebhookAlert, 'state' | 'dismissed_at' | 'dismissed_by' | 'dismissed_reason' | 'fixed_at'> & Record<string, unknown>;
}
