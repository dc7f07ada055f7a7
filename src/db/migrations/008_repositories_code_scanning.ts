import type { Kysely } from 'kysely';
import { createTableWithId } from '../columns.js';

/**
 * Organization repositories (no git hosting), SARIF uploads (a durable job queue) and the code scanning alerts
 * ingestion makes of them.
 * - Alerts carry their org: the org-wide list is an index range on (org_id, id) or (org_id, state, id) whatever the
 *   number of repositories.
 * - An alert is one distinct result per repository, tool and category: (repository_id, tool_name, category,
 *   fingerprint) is unique, so re-ingesting finds it again.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await createTableWithId(db, 'repositories')
    .addColumn('org_id', 'integer', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    /** GitHub's repository names are unique per owner case-insensitively. */
    .addColumn('name_lower', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('homepage', 'text')
    /** public | private | internal */
    .addColumn('visibility', 'text', (c) => c.notNull())
    .addColumn('default_branch', 'text', (c) => c.notNull())
    .addColumn('is_template', 'integer', (c) => c.notNull())
    .addColumn('archived', 'integer', (c) => c.notNull())
    /** Feature and merge settings of `full-repository` (has_issues, allow_squash_merge …), JSON. */
    .addColumn('settings', 'text', (c) => c.notNull())
    /** Numbers given to this repository's code scanning alerts so far (numbers start at 1, never reused). */
    .addColumn('last_alert_number', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_by', 'integer', (c) => c.references('accounts.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    /** No git hosting: the creation time, as GitHub shows for a repository never pushed to. */
    .addColumn('pushed_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('repositories_org_name', ['org_id', 'name_lower'])
    .execute();
  // `GET /orgs/{org}/repos` sorts by created (id order), updated, pushed or full_name (name).
  await db.schema.createIndex('repositories_org_id').on('repositories').columns(['org_id', 'id']).execute();

  await createTableWithId(db, 'code_scanning_sarif_uploads')
    .addColumn('repository_id', 'integer', (c) => c.notNull().references('repositories.id').onDelete('cascade'))
    /** `sarif_id`: GitHub's is an opaque string (a UUID). */
    .addColumn('guid', 'text', (c) => c.notNull().unique())
    .addColumn('commit_sha', 'text', (c) => c.notNull())
    .addColumn('ref', 'text', (c) => c.notNull())
    .addColumn('category', 'text')
    .addColumn('tool_name', 'text')
    .addColumn('checkout_uri', 'text')
    /** The upload as sent (gzip + base64); cleared once processed. */
    .addColumn('sarif', 'text')
    .addColumn('uploader_id', 'integer', (c) => c.references('accounts.id').onDelete('set null'))
    /** pending (claimable; `claimed_until` epoch ms is a lease while a process works on it) | complete | failed */
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('claimed_until', 'bigint')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    /** JSON array of messages, for failed uploads. */
    .addColumn('errors', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('processed_at', 'text')
    .execute();
  await db.schema.createIndex('code_scanning_sarif_uploads_pending').on('code_scanning_sarif_uploads').columns(['state', 'id']).execute();

  await createTableWithId(db, 'code_scanning_alerts')
    .addColumn('org_id', 'integer', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('repository_id', 'integer', (c) => c.notNull().references('repositories.id').onDelete('cascade'))
    .addColumn('number', 'integer', (c) => c.notNull())
    /** open | dismissed | fixed */
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('tool_name', 'text', (c) => c.notNull())
    .addColumn('tool_version', 'text')
    .addColumn('tool_guid', 'text')
    /** The analysis category ('' when the upload gave none). */
    .addColumn('category', 'text', (c) => c.notNull())
    /** What makes a result the same one in a later upload: its rule and partial fingerprints, else its location. */
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('rule_id', 'text')
    .addColumn('rule_name', 'text', (c) => c.notNull())
    .addColumn('rule_description', 'text', (c) => c.notNull())
    .addColumn('rule_full_description', 'text', (c) => c.notNull())
    /** JSON array, or null. */
    .addColumn('rule_tags', 'text')
    .addColumn('rule_help', 'text')
    .addColumn('rule_help_uri', 'text')
    /** none | note | warning | error */
    .addColumn('severity', 'text')
    /** low | medium | high | critical, from the rule's `security-severity` score. */
    .addColumn('security_severity_level', 'text')
    /** The most recent instance. */
    .addColumn('ref', 'text', (c) => c.notNull())
    .addColumn('commit_sha', 'text', (c) => c.notNull())
    .addColumn('analysis_key', 'text', (c) => c.notNull())
    .addColumn('environment', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('path', 'text')
    .addColumn('start_line', 'integer')
    .addColumn('end_line', 'integer')
    .addColumn('start_column', 'integer')
    .addColumn('end_column', 'integer')
    .addColumn('dismissed_by', 'integer', (c) => c.references('accounts.id').onDelete('set null'))
    .addColumn('dismissed_at', 'text')
    .addColumn('dismissed_reason', 'text')
    .addColumn('dismissed_comment', 'text')
    .addColumn('fixed_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('code_scanning_alerts_repository_number', ['repository_id', 'number'])
    .addUniqueConstraint('code_scanning_alerts_result', ['repository_id', 'tool_name', 'category', 'fingerprint'])
    .execute();
  // Org list: newest first (id order is creation order), optionally by state; `sort=updated` by updated_at.
  await db.schema.createIndex('code_scanning_alerts_org').on('code_scanning_alerts').columns(['org_id', 'id']).execute();
  await db.schema.createIndex('code_scanning_alerts_org_state').on('code_scanning_alerts').columns(['org_id', 'state', 'id']).execute();
  await db.schema.createIndex('code_scanning_alerts_org_updated').on('code_scanning_alerts').columns(['org_id', 'updated_at', 'id']).execute();
  // Repository list by state in number order.
  await db.schema.createIndex('code_scanning_alerts_repository_state').on('code_scanning_alerts').columns(['repository_id', 'state', 'number']).execute();

  await db.schema
    .createTable('code_scanning_alert_assignees')
    .addColumn('alert_id', 'integer', (c) => c.notNull().references('code_scanning_alerts.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('code_scanning_alert_assignees_pk', ['alert_id', 'user_id'])
    .execute();
  await db.schema.createIndex('code_scanning_alert_assignees_user').on('code_scanning_alert_assignees').column('user_id').execute();
}

export async function down(): Promise<void> {
  // Forward-only.
}
