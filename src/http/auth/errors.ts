import { ApiError } from '../errors.js';

/** GitHub's answer to an unknown, revoked or expired token. */
export const badCredentials = () => new ApiError(401, 'Bad credentials');
/** GitHub's answer to every API request made with a suspended account's token. */
export const suspendedAccount = () => new ApiError(403, 'Sorry. Your account was suspended.');
