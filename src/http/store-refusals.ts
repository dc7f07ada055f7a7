import { ApiError, invalidField, notFound, validationFailed } from './errors.js';

/**
 * What the store refused, read alike from PostgreSQL and SQLite errors: a unique key (named `table(col,col)`), a
 * reference to a row that is gone (services check that what a request names exists, so only a concurrent deletion
 * gets here), or contention that outlasted the wait (a lock or busy timeout, a deadlock, a serialization failure).
 */
type StoreRefusal = { kind: 'unique'; key: string } | { kind: 'vanished' } | { kind: 'contention' };

function refusalOf(error: unknown): StoreRefusal | undefined {
  const e = error as { code?: unknown; table?: unknown; detail?: unknown; message?: unknown };
  if (typeof e?.code !== 'string') return undefined;
  // PostgreSQL: `table` plus detail "Key (org_id, slug)=(1, x) already exists."
  if (e.code === '23505') {
    const columns = /^Key \(([^)]*)\)=/.exec(String(e.detail ?? ''))?.[1];
    return { kind: 'unique', key: `${String(e.table)}(${(columns ?? '').replace(/\s+/g, '')})` };
  }
  if (e.code === '23503' || e.code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return { kind: 'vanished' };
  if (e.code === '40P01' || e.code === '40001' || e.code === '55P03') return { kind: 'contention' };
  // SQLite: "UNIQUE constraint failed: teams.org_id, teams.slug"
  if (e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    const columns = String(e.message).replace(/^.*constraint failed: /, '').split(',').map((c) => c.trim());
    const table = columns[0]?.split('.')[0] ?? '';
    return { kind: 'unique', key: `${table}(${columns.map((c) => c.slice(c.indexOf('.') + 1)).join(',')})` };
  }
  if (e.code.startsWith('SQLITE_BUSY') || e.code.startsWith('SQLITE_LOCKED')) return { kind: 'contention' };
  return undefined;
}

export const loginTaken = (resource: string) => invalidField(resource, 'login', 'already_exists', 'login has already been taken');
export const teamNameTaken = () =>
  validationFailed([{ resource: 'Team', code: 'custom', field: 'name', message: 'Name must be unique for this org' }]);
export const customRoleNameTaken = () => new ApiError(422, 'Name has already been taken');
export const repositoryNameTaken = () =>
  new ApiError(422, 'Repository creation failed.', { errors: [{ resource: 'Repository', code: 'custom', field: 'name', message: 'name already exists on this account' }] });

/**
 * GitHub's answer for each unique key a request can run into: services check first under a lock, and a race
 * that still reaches the key (two processes creating one login) gets the same answer as the sequential case.
 */
const UNIQUE_KEY_ANSWERS: Record<string, (resource: string) => ApiError> = {
  'accounts(login_lower)': loginTaken,
  'teams(org_id,slug)': teamNameTaken,
  'custom_roles(org_id,name_lower)': customRoleNameTaken,
  'repositories(org_id,name_lower)': repositoryNameTaken,
};

/** The answer for a store refusal, or undefined when `error` is not one (then it is a server error). */
export function answerForStoreRefusal(error: unknown, resource: string): ApiError | undefined {
  const refusal = refusalOf(error);
  if (!refusal) return undefined;
  if (refusal.kind === 'contention') {
    // Nothing was written (the transaction rolled back): the client may simply try again.
    return new ApiError(503, 'The database is busy; please try again.', { headers: { 'Retry-After': '1' } });
  }
  // What the request named was deleted while it ran: the answer it would have had a moment later (nothing was written).
  if (refusal.kind === 'vanished') return notFound();
  return (UNIQUE_KEY_ANSWERS[refusal.key] ?? ((r: string) => validationFailed([{ resource: r, code: 'already_exists' }])))(resource);
}
