import { looksLikeJwt, verifyAppJwt } from '../../apps/jwt.js';
import { findAccountById } from '../../accounts/store.js';
import { badCredentials } from './errors.js';
import type { TokenKind } from './kind.js';

/** App JWTs (RS256, signed with the app's private key): they act as the app itself, on the `/app` operations only. */
export const appJwts: TokenKind = {
  recognises: looksLikeJwt,
  async resolve(token, { db, clock }) {
    const { app, expiresAtMs } = await verifyAppJwt(db, token, clock.now());
    const bot = await findAccountById(db, app.bot_id);
    if (!bot) throw badCredentials();
    return {
      caller: {
        kind: 'app',
        tokenId: app.id,
        userId: bot.id,
        login: bot.login,
        siteAdmin: false,
        scopes: [],
        effective: new Set(),
        permissions: {},
        expiresAt: expiresAtMs,
        app: { id: app.id, slug: app.slug },
      },
    };
  },
};
