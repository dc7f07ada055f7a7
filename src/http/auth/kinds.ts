import { appJwts } from './app-jwt.js';
import { classicTokens } from './classic.js';
import { fineGrainedTokens } from './fine-grained.js';
import { installationTokens } from './installation.js';
import type { TokenKind } from './kind.js';

/** Every kind of token, asked in this order which one a token is; classic last, as it takes any token. */
export const tokenKinds: readonly TokenKind[] = [fineGrainedTokens, installationTokens, appJwts, classicTokens];
