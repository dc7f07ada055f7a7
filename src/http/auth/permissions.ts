import { ApiError } from '../errors.js';
import type { AppPermission, RequiredPermissions } from '../operation.js';
import type { Caller, GrantedPermissions } from './caller.js';

/** Whether `granted` holds every entry of `required`; `write` includes `read`, as on GitHub. */
export function coversPermissions(granted: GrantedPermissions, required: RequiredPermissions): boolean {
  for (const name in required) {
    const level = granted[name as AppPermission];
    if (level === undefined || (required[name as AppPermission] === 'write' && level !== 'write')) return false;
  }
  return true;
}

/**
 * `X-Accepted-GitHub-Permissions`: the permissions an operation needs, `members=read` entries comma-separated, as
 * GitHub sends them; an operation that needs none is `allows_permissionless_access=true`, GitHub's value for those.
 */
export function acceptedPermissionsHeader(required: RequiredPermissions): string {
  const entries = Object.entries(required).map(([name, level]) => `${name}=${level}`);
  return entries.length ? entries.join(',') : 'allows_permissionless_access=true';
}

/** GitHub's 403 to a token whose permissions do not reach an operation (installation and app: "integration"). */
export function notAccessibleBy(caller: Caller): ApiError {
  return new ApiError(403, `Resource not accessible by ${caller.kind === 'fine-grained' ? 'personal access token' : 'integration'}`);
}
