export type { Caller, CallerKind, GrantedPermissions } from './caller.js';
export type { TokenEnvironment, TokenKind } from './kind.js';
export { Authenticator } from './authenticator.js';
export { badCredentials, suspendedAccount } from './errors.js';
