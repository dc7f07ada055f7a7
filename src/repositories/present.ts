import type { components } from '../generated/openapi.js';
import type { Account } from '../accounts/store.js';
import { nodeId, type Urls } from '../http/urls.js';
import { simpleUser } from '../users/present.js';
import { repositorySettings, type RepositoryRow } from './store.js';

type SimpleRepository = components['schemas']['simple-repository'];
type MinimalRepository = components['schemas']['minimal-repository'];
type FullRepository = components['schemas']['full-repository'];

/** What the caller may do in a repository (`permissions`), from src/repositories/access.ts. */
export type RepositoryPermission = 'admin' | 'maintain' | 'write' | 'triage' | 'read';
const LEVELS: RepositoryPermission[] = ['read', 'triage', 'write', 'maintain', 'admin'];

export function permissionsObject(level: RepositoryPermission) {
  const at = LEVELS.indexOf(level);
  return { admin: at >= 4, maintain: at >= 3, push: at >= 2, triage: at >= 1, pull: true };
}

/** `simple-repository`: the URLs every repository shape shares. */
export function simpleRepository(urls: Urls, owner: Account, repo: RepositoryRow): SimpleRepository {
  const fullName = `${owner.login}/${repo.name}`;
  const api = `${urls.api}/repos/${fullName}`;
  return {
    id: repo.id,
    node_id: nodeId('Repository', repo.id),
    name: repo.name,
    full_name: fullName,
    owner: simpleUser(urls, owner),
    private: repo.visibility !== 'public',
    html_url: `${urls.html}/${fullName}`,
    description: repo.description,
    fork: false,
    url: api,
    archive_url: `${api}/{archive_format}{/ref}`,
    assignees_url: `${api}/assignees{/user}`,
    blobs_url: `${api}/git/blobs{/sha}`,
    branches_url: `${api}/branches{/branch}`,
    collaborators_url: `${api}/collaborators{/collaborator}`,
    comments_url: `${api}/comments{/number}`,
    commits_url: `${api}/commits{/sha}`,
    compare_url: `${api}/compare/{base}...{head}`,
    contents_url: `${api}/contents/{+path}`,
    contributors_url: `${api}/contributors`,
    deployments_url: `${api}/deployments`,
    downloads_url: `${api}/downloads`,
    events_url: `${api}/events`,
    forks_url: `${api}/forks`,
    git_commits_url: `${api}/git/commits{/sha}`,
    git_refs_url: `${api}/git/refs{/sha}`,
    git_tags_url: `${api}/git/tags{/sha}`,
    issue_comment_url: `${api}/issues/comments{/number}`,
    issue_events_url: `${api}/issues/events{/number}`,
    issues_url: `${api}/issues{/number}`,
    keys_url: `${api}/keys{/key_id}`,
    labels_url: `${api}/labels{/name}`,
    languages_url: `${api}/languages`,
    merges_url: `${api}/merges`,
    milestones_url: `${api}/milestones{/number}`,
    notifications_url: `${api}/notifications{?since,all,participating}`,
    pulls_url: `${api}/pulls{/number}`,
    releases_url: `${api}/releases{/id}`,
    stargazers_url: `${api}/stargazers`,
    statuses_url: `${api}/statuses/{sha}`,
    subscribers_url: `${api}/subscribers`,
    subscription_url: `${api}/subscription`,
    tags_url: `${api}/tags`,
    teams_url: `${api}/teams`,
    trees_url: `${api}/git/trees{/sha}`,
    hooks_url: `${api}/hooks`,
  };
}

/** The fields `minimal-repository` and `full-repository` share beyond the simple shape (no git hosting: empty, size 0). */
function repositoryDetails(urls: Urls, owner: Account, repo: RepositoryRow, permission: RepositoryPermission | undefined) {
  const fullName = `${owner.login}/${repo.name}`;
  const host = new URL(urls.html).host;
  const settings = repositorySettings(repo);
  return {
    git_url: `git://${host}/${fullName}.git`,
    ssh_url: `git@${host}:${fullName}.git`,
    clone_url: `${urls.html}/${fullName}.git`,
    svn_url: `${urls.html}/${fullName}`,
    mirror_url: null,
    homepage: repo.homepage,
    language: null,
    forks_count: 0,
    stargazers_count: 0,
    watchers_count: 0,
    size: 0,
    default_branch: repo.default_branch,
    open_issues_count: 0,
    is_template: repo.is_template === 1,
    topics: [],
    has_issues: settings.has_issues,
    has_projects: settings.has_projects,
    has_wiki: settings.has_wiki,
    has_pages: false,
    has_downloads: settings.has_downloads,
    has_discussions: settings.has_discussions,
    archived: repo.archived === 1,
    disabled: false,
    visibility: repo.visibility,
    pushed_at: repo.pushed_at,
    created_at: repo.created_at,
    updated_at: repo.updated_at,
    ...(permission ? { permissions: permissionsObject(permission) } : {}),
    allow_forking: repo.visibility === 'public',
    web_commit_signoff_required: false,
    license: null,
    forks: 0,
    open_issues: 0,
    watchers: 0,
  };
}

/** `minimal-repository`, what `GET /orgs/{org}/repos` lists. */
export function minimalRepository(urls: Urls, owner: Account, repo: RepositoryRow, permission?: RepositoryPermission): MinimalRepository {
  return { ...simpleRepository(urls, owner, repo), ...repositoryDetails(urls, owner, repo, permission), delete_branch_on_merge: repositorySettings(repo).delete_branch_on_merge };
}

/** `full-repository`, what creating and getting a repository answer. */
export function fullRepository(urls: Urls, owner: Account, repo: RepositoryRow, permission?: RepositoryPermission): FullRepository {
  const settings = repositorySettings(repo);
  return {
    ...simpleRepository(urls, owner, repo),
    ...repositoryDetails(urls, owner, repo, permission),
    allow_squash_merge: settings.allow_squash_merge,
    allow_merge_commit: settings.allow_merge_commit,
    allow_rebase_merge: settings.allow_rebase_merge,
    allow_auto_merge: settings.allow_auto_merge,
    delete_branch_on_merge: settings.delete_branch_on_merge,
    use_squash_pr_title_as_default: settings.use_squash_pr_title_as_default,
    squash_merge_commit_title: settings.squash_merge_commit_title,
    squash_merge_commit_message: settings.squash_merge_commit_message,
    merge_commit_title: settings.merge_commit_title,
    merge_commit_message: settings.merge_commit_message,
    allow_update_branch: false,
    anonymous_access_enabled: false,
    subscribers_count: 0,
    network_count: 0,
    // `organization` is a `simple-user` of the owning org.
    organization: simpleUser(urls, owner),
  };
}

/** A repository as webhooks show it (`repository-webhooks`): the minimal shape without the caller's permissions. */
export function webhookRepository(urls: Urls, owner: Account, repo: RepositoryRow) {
  return { ...simpleRepository(urls, owner, repo), ...repositoryDetails(urls, owner, repo, undefined), organization: simpleUser(urls, owner) };
}
