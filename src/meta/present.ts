import type { components } from '../generated/openapi.js';
import { openapiDocument } from '../http/openapi.js';
import type { Urls } from '../http/urls.js';
import type { ApiVersion } from '../http/versions.js';

type Root = components['schemas']['root'];
/** GHES's `/meta` adds the installed release to the fields api.github.com's description lists. */
type ServerMeta = components['schemas']['api-overview'] & { installed_version: string };

/** `meta/root`: GitHub's hypermedia index, every template on the request's API base. */
export function apiRoot(urls: Urls, version: ApiVersion): Root | Omit<Root, 'authorizations_url' | 'hub_url'> {
  const { api, html } = urls;
  const search = (kind: string) => `${api}/search/${kind}?q={query}{&page,per_page,sort,order}`;
  const root: Root = {
    current_user_url: `${api}/user`,
    current_user_authorizations_html_url: `${html}/settings/connections/applications{/client_id}`,
    authorizations_url: `${api}/authorizations`,
    code_search_url: search('code'),
    commit_search_url: search('commits'),
    emails_url: `${api}/user/emails`,
    emojis_url: `${api}/emojis`,
    events_url: `${api}/events`,
    feeds_url: `${api}/feeds`,
    followers_url: `${api}/user/followers`,
    following_url: `${api}/user/following{/target}`,
    gists_url: `${api}/gists{/gist_id}`,
    hub_url: `${api}/hub`,
    issue_search_url: search('issues'),
    issues_url: `${api}/issues`,
    keys_url: `${api}/user/keys`,
    label_search_url: `${api}/search/labels?q={query}&repository_id={repository_id}{&page,per_page}`,
    notifications_url: `${api}/notifications`,
    organization_url: `${api}/orgs/{org}`,
    organization_repositories_url: `${api}/orgs/{org}/repos{?type,page,per_page,sort}`,
    organization_teams_url: `${api}/orgs/{org}/teams`,
    public_gists_url: `${api}/gists/public`,
    rate_limit_url: `${api}/rate_limit`,
    repository_url: `${api}/repos/{owner}/{repo}`,
    repository_search_url: search('repositories'),
    current_user_repositories_url: `${api}/user/repos{?type,page,per_page,sort}`,
    starred_url: `${api}/user/starred{/owner}{/repo}`,
    starred_gists_url: `${api}/gists/starred`,
    topic_search_url: `${api}/search/topics?q={query}{&page,per_page}`,
    user_url: `${api}/users/{user}`,
    user_organizations_url: `${api}/user/orgs`,
    user_repositories_url: `${api}/users/{user}/repos{?type,page,per_page,sort}`,
    user_search_url: search('users'),
  };
  if (version !== '2026-03-10') return root;
  // x-github-breaking-changes: API version 2026-03-10 drops both from the root.
  const { authorizations_url: _authorizations, hub_url: _hub, ...current } = root;
  return current;
}

/**
 * The GitHub Enterprise Server release whose site-admin API orghub serves: the `ghes-X.Y` description the shared
 * contract takes those operations from (`x-orghub-source`), as GHES's `installed_version` names its own release.
 */
const servedGhesRelease: string = (() => {
  for (const item of Object.values<Record<string, { 'x-orghub-source'?: { variant?: string } }>>(openapiDocument.paths)) {
    for (const op of Object.values(item)) {
      const match = /^ghes-(\d+\.\d+)$/.exec(op['x-orghub-source']?.variant ?? '');
      if (match) return `${match[1]}.0`;
    }
  }
  throw new Error('The description holds no GitHub Enterprise Server operation to take the release from');
})();

/**
 * `meta/get` as a self-hosted server answers it (GHES documents `verifiable_password_authentication` and
 * `installed_version`). Tokens are the only credentials orghub accepts, so no password is verifiable; the address
 * lists (hooks, web, api …) are left out: orghub does not know the addresses it is reached at or sends from.
 */
export function serverMeta(): ServerMeta {
  return { verifiable_password_authentication: false, installed_version: servedGhesRelease };
}
