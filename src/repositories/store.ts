import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Database, RepositoryTable } from '../db/schema.js';

export type RepositoryRow = Selectable<RepositoryTable>;

/** The feature and merge settings of `full-repository` a create request may set, stored as one JSON document. */
export interface RepositorySettings {
  has_issues: boolean;
  has_projects: boolean;
  has_wiki: boolean;
  has_downloads: boolean;
  has_discussions: boolean;
  allow_squash_merge: boolean;
  allow_merge_commit: boolean;
  allow_rebase_merge: boolean;
  allow_auto_merge: boolean;
  delete_branch_on_merge: boolean;
  use_squash_pr_title_as_default: boolean;
  squash_merge_commit_title: 'PR_TITLE' | 'COMMIT_OR_PR_TITLE';
  squash_merge_commit_message: 'PR_BODY' | 'COMMIT_MESSAGES' | 'BLANK';
  merge_commit_title: 'PR_TITLE' | 'MERGE_MESSAGE';
  merge_commit_message: 'PR_BODY' | 'PR_TITLE' | 'BLANK';
}

/** GitHub's defaults for a new repository. */
export const defaultRepositorySettings: RepositorySettings = {
  has_issues: true,
  has_projects: true,
  has_wiki: true,
  has_downloads: true,
  has_discussions: false,
  allow_squash_merge: true,
  allow_merge_commit: true,
  allow_rebase_merge: true,
  allow_auto_merge: false,
  delete_branch_on_merge: false,
  use_squash_pr_title_as_default: false,
  squash_merge_commit_title: 'COMMIT_OR_PR_TITLE',
  squash_merge_commit_message: 'COMMIT_MESSAGES',
  merge_commit_title: 'MERGE_MESSAGE',
  merge_commit_message: 'PR_TITLE',
};

export function repositorySettings(row: RepositoryRow): RepositorySettings {
  return { ...defaultRepositorySettings, ...(JSON.parse(row.settings) as Partial<RepositorySettings>) };
}

export async function insertRepository(db: Kysely<Database>, values: Insertable<RepositoryTable>): Promise<RepositoryRow> {
  return db.insertInto('repositories').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function findRepository(db: Kysely<Database>, orgId: number, name: string): Promise<RepositoryRow | undefined> {
  return db.selectFrom('repositories').selectAll().where('org_id', '=', orgId).where('name_lower', '=', name.toLowerCase()).executeTakeFirst();
}

export async function findRepositoriesByIds(db: Kysely<Database>, ids: number[]): Promise<RepositoryRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('repositories').selectAll().where('id', 'in', ids).execute();
}

export interface RepositoryListQuery {
  /** Only these visibilities (`type=public|private`); undefined: all. */
  visibilities?: RepositoryRow['visibility'][];
  /** Only these repositories (an installation token given some repositories only). */
  ids?: number[];
  /** A caller who sees only public repositories and those they created (members without base permission, outsiders). */
  limitedTo?: { userId: number | null };
  sort: 'created' | 'updated' | 'pushed' | 'full_name';
  direction: 'asc' | 'desc';
  offset: number;
  limit: number;
}

const SORT_COLUMN = { created: 'id', updated: 'updated_at', pushed: 'pushed_at', full_name: 'name_lower' } as const;

/** One page of an org's repositories and their total. */
export async function listRepositories(db: Kysely<Database>, orgId: number, q: RepositoryListQuery): Promise<{ rows: RepositoryRow[]; total: number }> {
  let base = db.selectFrom('repositories').where('org_id', '=', orgId);
  if (q.visibilities) base = base.where('visibility', 'in', q.visibilities);
  if (q.ids) base = q.ids.length > 0 ? base.where('id', 'in', q.ids) : base.where((eb) => eb.lit(false));
  const limitedTo = q.limitedTo;
  if (limitedTo) {
    base = base.where((eb) => eb.or([eb('visibility', '=', 'public'), ...(limitedTo.userId === null ? [] : [eb('created_by', '=', limitedTo.userId)])]));
  }
  const [rows, count] = await Promise.all([
    base.selectAll().orderBy(SORT_COLUMN[q.sort], q.direction).orderBy('id', q.direction).offset(q.offset).limit(q.limit).execute(),
    base.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.total) };
}
