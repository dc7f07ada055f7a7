import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { findAccount, findAccountById, findAccountsByIds, type Account } from '../accounts/store.js';
import { isoSeconds } from '../clock.js';
import type { AppContext } from '../context.js';
import type { Database } from '../db/schema.js';
import { recordEvent, recordEventBatch, type ChangeEvent } from '../events/record.js';
import { ApiError, forbidden, notFound } from '../http/errors.js';
import { actorOf } from '../invitations/service.js';
import { managesSecurity, type OrgAccess } from '../orgs/access.js';
import { installationReach, permissionIn, reachableRepository } from '../repositories/access.js';
import { findRepositoriesByIds, type RepositoryRow } from '../repositories/store.js';
import { getMembership } from '../memberships/store.js';
import type { AlertPeople } from './present.js';
import { analysesOf, decodeSarif, isBase64, SARIF_LIMITS, SarifRejected } from './sarif.js';
import {
  assigneesOf,
  findAlert,
  findUpload,
  finishUpload,
  ingestAnalysis,
  insertUpload,
  listOrgAlerts,
  listRepositoryAlerts,
  lockAlert,
  setAssignees,
  updateAlert,
  type AlertFilters,
  type CodeScanningAlertRow,
  type OrgAlertPage,
  type RepositoryAlertPage,
  type SarifUploadRow,
} from './store.js';

/** Classic scopes that reach code scanning of private repositories; `public_repo` reaches public ones only. */
const PRIVATE_SCOPES = ['security_events', 'repo'];

/**
 * `{owner}/{repo}` for code scanning: 404 when the caller may not see the repository; 403 when they may but hold no
 * write access and do not manage the org's security (GitHub shows code scanning alerts to writers and security
 * managers only); 403 for changes to an archived repository.
 */
export async function scannedRepository(ctx: AppContext, access: OrgAccess, name: string, intent: 'read' | 'write'): Promise<RepositoryRow> {
  const repo = await reachableRepository(ctx.db, access, name);
  const securityManager = await managesSecurity(ctx.db, access);
  const permission = permissionIn(access, repo, securityManager, PRIVATE_SCOPES);
  if (!permission) throw notFound();
  if (!securityManager && (permission === 'read' || permission === 'triage')) {
    // orghub's wording: GitHub documents this 403 without its text.
    throw forbidden('You need write access to this repository or the security manager role to use code scanning.');
  }
  if (intent === 'write' && repo.archived === 1) throw forbidden('Repository was archived so is read-only.');
  return repo;
}

// ---- SARIF uploads ------------------------------------------------------------------------------------------------

export interface SarifUploadRequest {
  commit_sha: string;
  ref: string;
  sarif: string;
  checkout_uri?: string;
  started_at?: string;
  tool_name?: string;
  validate?: boolean;
}

/** What a `sarif` field of at most 10 MB compressed is as base64, plus room for the other fields. */
export const SARIF_UPLOAD_BODY_LIMIT = Math.ceil((SARIF_LIMITS.compressedBytes * 4) / 3) + 64 * 1024;

const GZIP_MAGIC = [0x1f, 0x8b];

/**
 * `POST …/code-scanning/sarifs`: checks what can be checked at once (base64 of gzip data: 400; over 10 MB compressed:
 * 413), records the upload as pending and wakes the processor; 202 with its id.
 */
export async function uploadSarif(ctx: AppContext, access: OrgAccess, repo: RepositoryRow, body: SarifUploadRequest & { category?: string }): Promise<SarifUploadRow> {
  if (!isBase64(body.sarif)) throw new ApiError(400, 'Invalid SARIF: the sarif field is not base64-encoded');
  const compressed = Buffer.from(body.sarif, 'base64');
  if (compressed.length > SARIF_LIMITS.compressedBytes) {
    throw new ApiError(413, `SARIF file is too large: ${compressed.length} bytes compressed, more than the limit of ${SARIF_LIMITS.compressedBytes}`);
  }
  if (compressed[0] !== GZIP_MAGIC[0] || compressed[1] !== GZIP_MAGIC[1]) throw new ApiError(400, 'Invalid SARIF: the sarif field is not gzip-compressed');
  const upload = await insertUpload(ctx.db, {
    repository_id: repo.id,
    guid: randomUUID(),
    commit_sha: body.commit_sha,
    ref: body.ref,
    category: body.category ?? null,
    tool_name: body.tool_name ?? null,
    checkout_uri: body.checkout_uri ?? null,
    sarif: body.sarif,
    uploader_id: access.caller!.userId,
    state: 'pending',
    claimed_until: null,
    errors: null,
    created_at: isoSeconds(ctx.clock.now()),
    processed_at: null,
  });
  ctx.sarifProcessor.wake();
  return upload;
}

export async function sarifUpload(ctx: AppContext, repo: RepositoryRow, guid: string): Promise<SarifUploadRow> {
  const upload = await findUpload(ctx.db, repo.id, guid);
  if (!upload) throw notFound();
  return upload;
}

/** Claims of one upload after which it is marked failed (a crash mid-way costs one; a fault of ours each time costs them all). */
const MAX_ATTEMPTS = 5;

/** An attempt that lost the upload to another process (its claim had lapsed): its writes are rolled back. */
class AlreadyProcessed extends Error {}

/**
 * Processes one claimed upload: decodes and checks the file, then in ONE transaction applies each analysis to the
 * repository's alerts, records what changed, and marks the upload complete. A rejected file is marked failed with
 * its errors and writes nothing else.
 */
export async function processUpload(ctx: AppContext, upload: SarifUploadRow): Promise<void> {
  const now = isoSeconds(ctx.clock.now());
  // An upload that failed for reasons of ours (not its content) this often is given up on, not tried forever.
  if (upload.attempts > MAX_ATTEMPTS) {
    await finishUpload(ctx.db, upload.id, { state: 'failed', errors: [`The SARIF file could not be processed (${MAX_ATTEMPTS} attempts failed).`], processedAt: now });
    return;
  }
  let analyses;
  try {
    analyses = analysesOf(decodeSarif(upload.sarif ?? ''), {
      ref: upload.ref,
      commitSha: upload.commit_sha,
      category: upload.category,
      toolName: upload.tool_name,
      checkoutUri: upload.checkout_uri,
    });
  } catch (error) {
    if (!(error instanceof SarifRejected)) throw error;
    await finishUpload(ctx.db, upload.id, { state: 'failed', errors: error.errors, processedAt: now });
    return;
  }
  const [repo] = await findRepositoriesByIds(ctx.db, [upload.repository_id]);
  const org = repo && (await findAccountById(ctx.db, repo.org_id));
  if (!repo || !org) return;
  const uploader = upload.uploader_id === null ? undefined : await findAccountById(ctx.db, upload.uploader_id);
  const actor = uploader ? { id: uploader.id, login: uploader.login } : null;
  try {
    await ctx.db.transaction().execute(async (trx) => {
      const events: ChangeEvent[] = [];
      for (const analysis of analyses) {
        const outcome = await ingestAnalysis(trx, ctx.dialect, repo, { ...analysis, ref: upload.ref }, now);
        const add = (action: AlertAction, alerts: CodeScanningAlertRow[]) => events.push(...alerts.map((alert) => alertEvent(action, org, repo, alert, actor, now)));
        add('code_scanning_alert.create', outcome.created);
        add('code_scanning_alert.fix', outcome.fixed);
        add('code_scanning_alert.reintroduce', outcome.reopened);
      }
      await recordEventBatch(trx, events);
      if (!(await finishUpload(trx, upload.id, { state: 'complete', errors: null, processedAt: now }))) throw new AlreadyProcessed();
    });
  } catch (error) {
    if (!(error instanceof AlreadyProcessed)) throw error;
  }
}

/**
 * The audit actions of alert changes. GitHub's audit log documents none for code scanning alerts; these follow its
 * Dependabot alert names (`repository_vulnerability_alert.create|resolve|reintroduce|dismiss|reopen`).
 */
export type AlertAction =
  | 'code_scanning_alert.create'
  | 'code_scanning_alert.fix'
  | 'code_scanning_alert.reintroduce'
  | 'code_scanning_alert.dismiss'
  | 'code_scanning_alert.reopen';

function alertEvent(action: AlertAction, org: Account, repo: RepositoryRow, alert: CodeScanningAlertRow, actor: ChangeEvent['actor'], now: string): ChangeEvent {
  return {
    action,
    actor,
    org,
    repository: repo,
    codeScanningAlert: alert,
    data: { repo: `${org.login}/${repo.name}`, alert_number: alert.number, rule_id: alert.rule_id, tool_name: alert.tool_name },
    createdAt: now,
  };
}

// ---- alerts -------------------------------------------------------------------------------------------------------

/** The accounts a page of alerts shows: dismissers and assignees. */
export async function peopleOf(db: Kysely<Database>, alerts: CodeScanningAlertRow[]): Promise<AlertPeople> {
  const assignees = await assigneesOf(db, alerts.map((a) => a.id));
  const ids = new Set<number>([...assignees.values()].flat());
  for (const alert of alerts) if (alert.dismissed_by !== null) ids.add(alert.dismissed_by);
  const accounts = new Map((await findAccountsByIds(db, [...ids])).map((account) => [account.id, account]));
  return { accounts, assignees };
}

export async function listAlertsOfRepository(ctx: AppContext, repo: RepositoryRow, filters: AlertFilters, page: RepositoryAlertPage) {
  const rows = await listRepositoryAlerts(ctx.db, repo.id, filters, page);
  return { rows, people: await peopleOf(ctx.db, rows) };
}

export async function alertOf(ctx: AppContext, repo: RepositoryRow, number: number): Promise<CodeScanningAlertRow> {
  const alert = await findAlert(ctx.db, repo.id, number);
  if (!alert) throw notFound();
  return alert;
}

export interface AlertUpdate {
  state?: 'open' | 'dismissed';
  dismissed_reason?: CodeScanningAlertRow['dismissed_reason'];
  dismissed_comment?: string;
  assignees?: string[];
}

/** GitHub's bound on `dismissed_comment`. */
const MAX_DISMISSED_COMMENT = 280;

/**
 * `PATCH …/code-scanning/alerts/{alert_number}`: dismiss (with a reason) or reopen a dismissed alert, and/or set its
 * assignees (logins of org members; `[]` unassigns). A fixed alert cannot be changed by hand (400), as on GitHub.
 * One transaction; audited and delivered as `code_scanning_alert` `closed_by_user` / `reopened_by_user`.
 */
export async function changeAlert(ctx: AppContext, access: OrgAccess, repo: RepositoryRow, number: number, body: AlertUpdate): Promise<CodeScanningAlertRow> {
  if (body.state === 'dismissed' && !body.dismissed_reason) {
    throw new ApiError(400, 'A dismissed_reason is required when setting the state to dismissed.');
  }
  if ((body.dismissed_comment?.length ?? 0) > MAX_DISMISSED_COMMENT) {
    throw new ApiError(400, `dismissed_comment is too long (maximum is ${MAX_DISMISSED_COMMENT} characters)`);
  }
  const assigneeIds = body.assignees === undefined ? undefined : await assignableUsers(ctx, access, body.assignees);
  const now = isoSeconds(ctx.clock.now());
  const caller = access.caller!;
  return ctx.db.transaction().execute(async (trx) => {
    const found = await findAlert(trx, repo.id, number);
    if (!found) throw notFound();
    let alert = await lockAlert(trx, ctx.dialect, found.id);
    if (body.state !== undefined && body.state !== alert.state) {
      if (alert.state === 'fixed') throw new ApiError(400, 'Alert is already fixed and cannot be changed.');
      const dismissing = body.state === 'dismissed';
      alert = await updateAlert(trx, alert.id, dismissing
        ? { state: 'dismissed', dismissed_by: caller.userId, dismissed_at: now, dismissed_reason: body.dismissed_reason!, dismissed_comment: body.dismissed_comment ?? null, updated_at: now }
        : { state: 'open', dismissed_by: null, dismissed_at: null, dismissed_reason: null, dismissed_comment: null, updated_at: now });
      await recordEvent(trx, alertEvent(dismissing ? 'code_scanning_alert.dismiss' : 'code_scanning_alert.reopen', access.org, repo, alert, actorOf(caller), now));
    }
    if (assigneeIds !== undefined) {
      await setAssignees(trx, alert.id, assigneeIds, now);
      alert = await updateAlert(trx, alert.id, { updated_at: now });
    }
    return alert;
  });
}

/** Assignees must be members of the org (GitHub: users with write access); an unknown login is a 400. */
async function assignableUsers(ctx: AppContext, access: OrgAccess, logins: string[]): Promise<number[]> {
  const ids: number[] = [];
  for (const login of [...new Set(logins.map((l) => l.toLowerCase()))]) {
    const user = await findAccount(ctx.db, login, 'User');
    const membership = user && (await getMembership(ctx.db, access.org.id, user.id));
    if (!user || membership?.state !== 'active') throw new ApiError(400, `Could not assign ${login}: assignees must be members of the organization.`);
    ids.push(user.id);
  }
  return ids;
}

/** `GET /orgs/{org}/code-scanning/alerts`: owners and security managers (the operation's `orgRole`). */
export async function listAlertsOfOrg(ctx: AppContext, access: OrgAccess, filters: AlertFilters, page: OrgAlertPage) {
  const reach = await installationReach(ctx.db, access);
  const rows = await listOrgAlerts(ctx.db, access.org.id, { ...filters, ...(reach && { repositoryIds: [...reach] }) }, page);
  const [people, repositories] = await Promise.all([
    peopleOf(ctx.db, rows),
    findRepositoriesByIds(ctx.db, [...new Set(rows.map((row) => row.repository_id))]),
  ]);
  return { rows, people, repositories: new Map(repositories.map((repo) => [repo.id, repo])) };
}
