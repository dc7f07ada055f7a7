/** Classic OAuth scopes each scope grants beyond itself, as GitHub documents them. */
const IMPLIED: Record<string, string[]> = {
  'admin:org': ['write:org', 'read:org', 'manage_runners:org'],
  'write:org': ['read:org'],
  'admin:org_hook': [],
  audit_log: ['read:audit_log'],
  repo: ['repo:status', 'repo_deployment', 'public_repo', 'repo:invite', 'security_events'],
  user: ['read:user', 'user:email', 'user:follow'],
  'admin:enterprise': ['manage_runners:enterprise', 'manage_billing:enterprise', 'read:enterprise'],
  'admin:public_key': ['write:public_key', 'read:public_key'],
  'write:public_key': ['read:public_key'],
  'admin:gpg_key': ['write:gpg_key', 'read:gpg_key'],
  'write:gpg_key': ['read:gpg_key'],
};

export const KNOWN_SCOPES = new Set([
  ...Object.keys(IMPLIED),
  ...Object.values(IMPLIED).flat(),
  'read:audit_log', 'site_admin', 'delete_repo', 'workflow', 'gist', 'notifications', 'write:packages', 'read:packages',
  'delete:packages', 'admin:repo_hook', 'write:repo_hook', 'read:repo_hook', 'codespace', 'project', 'read:project',
  'write:discussion', 'read:discussion', 'copilot', 'admin:ssh_signing_key', 'audit_log',
]);

/** Every scope a token holds, its own and those its scopes imply. */
export function effectiveScopes(granted: readonly string[]): Set<string> {
  const out = new Set<string>();
  const visit = (scope: string) => {
    if (out.has(scope)) return;
    out.add(scope);
    for (const implied of IMPLIED[scope] ?? []) visit(implied);
  };
  granted.forEach(visit);
  return out;
}

export function hasAnyScope(effective: ReadonlySet<string>, accepted: readonly string[]): boolean {
  return accepted.some((scope) => effective.has(scope));
}
