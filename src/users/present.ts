import type { components } from '../generated/openapi.js';
import type { Account } from '../accounts/store.js';
import { SCHEMA_TITLE } from '../http/compile-on-first-use.js';
import { nodeId, type Urls } from '../http/urls.js';

type SimpleUser = components['schemas']['simple-user'];
type PublicUser = components['schemas']['public-user'];
type PrivateUser = components['schemas']['private-user'];

/** The account fields a `simple-user` needs; list queries select just these. */
export type UserSummary = Pick<Account, 'id' | 'login' | 'type' | 'site_admin'>;

export function simpleUser(urls: Urls, user: UserSummary): SimpleUser {
  // A GitHub App's `{slug}[bot]`: GitHub percent-encodes the brackets in its URLs, and its page is the app's.
  const bot = user.type === 'Bot';
  const api = `${urls.api}/users/${bot ? encodeURIComponent(user.login) : user.login}`;
  return {
    login: user.login,
    id: user.id,
    node_id: nodeId(user.type, user.id),
    avatar_url: urls.avatar(user.id),
    gravatar_id: '',
    url: api,
    html_url: bot ? `${urls.html}/apps/${user.login.replace(/\[bot\]$/, '')}` : `${urls.html}/${user.login}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: user.type,
    user_view_type: 'public',
    site_admin: user.site_admin === 1,
  };
}

// `Object.assign` onto the smaller view rather than a spread into a literal: V8 (Node 20) builds such a spread of
// this many properties some hundred times slower (tens of µs per object).
export function publicUser(urls: Urls, user: Account): PublicUser {
  return Object.assign(simpleUser(urls, user), {
    [SCHEMA_TITLE]: 'Public User',
    user_view_type: 'public' as const,
    name: user.name,
    company: user.company,
    blog: user.blog ?? '',
    location: user.location,
    email: user.email,
    hireable: null,
    bio: user.bio,
    twitter_username: user.twitter_username,
    public_repos: 0,
    public_gists: 0,
    followers: 0,
    following: 0,
    created_at: user.created_at,
    updated_at: user.updated_at,
  });
}

/** `GET /user`: the profile plus private fields, as GitHub shows the user themself. */
export function privateUser(urls: Urls, user: Account): PrivateUser {
  return Object.assign(publicUser(urls, user), {
    [SCHEMA_TITLE]: 'Private User',
    user_view_type: 'private' as const,
    notification_email: user.email,
    private_gists: 0,
    total_private_repos: 0,
    owned_private_repos: 0,
    disk_usage: 0,
    collaborators: 0,
    two_factor_authentication: user.two_factor !== 'disabled',
    plan: { name: 'free', space: 976562499, private_repos: 10000, collaborators: 0 },
  });
}
