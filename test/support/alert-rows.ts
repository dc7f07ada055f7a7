import type { Insertable, Kysely } from 'kysely';
import type { CodeScanningAlertTable, Database, RepositoryTable } from '../../src/db/schema.js';
import { defaultRepositorySettings } from '../../src/repositories/store.js';

/**
 * Rows of repositories and code scanning alerts written straight into a store: for tests and benchmarks that need
 * alerts in numbers or states no scanner run would give quickly (the SARIF round trip tests go through the API).
 */
export function repositoryRow(orgId: number, name: string, now: string, alertCount = 0): Insertable<RepositoryTable> {
  return {
    org_id: orgId,
    name,
    name_lower: name.toLowerCase(),
    description: null,
    homepage: null,
    visibility: 'private',
    default_branch: 'main',
    is_template: 0,
    archived: 0,
    settings: JSON.stringify(defaultRepositorySettings),
    last_alert_number: alertCount,
    created_by: null,
    created_at: now,
    updated_at: now,
    pushed_at: now,
  };
}

export function alertRow(
  orgId: number,
  repositoryId: number,
  number: number,
  now: string,
  state: CodeScanningAlertTable['state'] = 'open',
): Insertable<CodeScanningAlertTable> {
  return {
    org_id: orgId,
    repository_id: repositoryId,
    number,
    state,
    tool_name: 'ESLint',
    tool_version: '8.57.0',
    tool_guid: null,
    category: '',
    fingerprint: `no-unused-vars:src/file-${number}.js:1`,
    rule_id: 'no-unused-vars',
    rule_name: 'no-unused-vars',
    rule_description: 'Disallow unused variables',
    rule_full_description: 'Disallow unused variables',
    rule_tags: null,
    rule_help: null,
    rule_help_uri: null,
    severity: 'warning',
    security_severity_level: null,
    ref: 'refs/heads/main',
    commit_sha: 'a'.repeat(40),
    analysis_key: '',
    environment: '{}',
    message: `'unused${number}' is assigned a value but never used.`,
    path: `src/file-${number}.js`,
    start_line: 1,
    end_line: 1,
    start_column: 7,
    end_column: 13,
    dismissed_by: null,
    dismissed_at: state === 'dismissed' ? now : null,
    dismissed_reason: state === 'dismissed' ? 'false positive' : null,
    dismissed_comment: null,
    fixed_at: state === 'fixed' ? now : null,
    created_at: now,
    updated_at: now,
  };
}

/** A repository of the org with `count` open alerts numbered 1..count, inserted in batches; its id. */
export async function seedRepositoryWithAlerts(db: Kysely<Database>, orgId: number, name: string, count: number, now: string): Promise<number> {
  const { id } = await db.insertInto('repositories').values(repositoryRow(orgId, name, now, count)).returning('id').executeTakeFirstOrThrow();
  const BATCH = 200;
  for (let first = 1; first <= count; first += BATCH) {
    const rows = Array.from({ length: Math.min(BATCH, count - first + 1) }, (_, k) => alertRow(orgId, id, first + k, now));
    await db.insertInto('code_scanning_alerts').values(rows).execute();
  }
  return id;
}
