import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { createNodeMiddleware, createProbot, type Probot } from 'probot';
import { ManualClock } from '../src/clock.js';
import { installApp, registerApp } from './support/apps.js';
import { addMember } from './support/membership.js';
import type { TestServer } from './support/server.js';
import { assertMatchesWebhookSchema, hookedReceiver, useGuardedServer, waitUntil } from './support/webhooks.js';

let t: TestServer;
// Probot signs its JWTs with the machine's clock: the server's starts there.
useGuardedServer({ clock: new ManualClock(new Date()), webhooks: { pollMs: 20 } }, (server) => (t = server));

/** The app under test, as a Probot user writes it: every new org member joins the `newcomers` team. */
const welcomeNewcomers = (app: Probot) => {
  app.on('organization.member_added', async (context) => {
    assertMatchesWebhookSchema('organization', 'member_added', context.payload);
    await context.octokit.rest.teams.addOrUpdateMembershipForUserInOrg({
      org: context.payload.organization.login,
      team_slug: 'newcomers',
      username: context.payload.membership.user!.login,
    });
  });
};

describe('an unchanged Probot app', () => {
  it('receives organization.member_added on its webhook and answers with its installation token', async (test) => {
    // Listening first: the app's hook URL is the server's, and the app's id, key and secret come from registering it.
    let middleware: Awaited<ReturnType<typeof createNodeMiddleware>> | undefined;
    const server = createServer((request, response) => {
      void middleware!(request, response, () => response.writeHead(404).end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    test.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const { port } = server.address() as AddressInfo;

    const owner = await t.createUser('pb-owner');
    const { login: org } = await t.createOrg('pb-org', owner.login);
    await owner.octokit.rest.teams.create({ org, name: 'newcomers' });
    const app = await registerApp(t, org, {
      name: 'Welcome Bot',
      permissions: { members: 'write' },
      events: ['organization'],
      hookUrl: `http://127.0.0.1:${port}/api/github/webhooks`,
    });
    const orghub = new URL(t.url);
    // Probot's documented GitHub Enterprise settings: GHE_HOST and GHE_PROTOCOL (the API then lives under /api/v3).
    const probot = createProbot({
      env: {
        APP_ID: String(app.id),
        PRIVATE_KEY: app.pem,
        WEBHOOK_SECRET: app.webhook_secret,
        GHE_HOST: orghub.host,
        GHE_PROTOCOL: orghub.protocol.replace(':', ''),
        LOG_LEVEL: 'error',
      },
    });
    middleware = await createNodeMiddleware(welcomeNewcomers, { probot });
    await installApp(t, app, org);
    // The org's own hook hears what the app does, its bot the sender (checked against GitHub's webhook schema).
    const orgHook = await hookedReceiver(test, owner, org, ['membership']);

    const newcomer = await t.createUser('pb-newcomer');
    await addMember(owner, org, newcomer);
    const members = await waitUntil(async () => {
      const { data } = await owner.octokit.rest.teams.listMembersInOrg({ org, team_slug: 'newcomers' });
      return data.some((member) => member.login === newcomer.login) && data;
    }, 'the newcomer on the newcomers team');
    assert.ok(members.some((member) => member.login === newcomer.login));
    // The app acted as its bot, with its installation token.
    const rows = await t.server.ctx.db.selectFrom('audit_events').select(['action', 'actor', 'user']).where('action', '=', 'team.add_member').where('user', '=', newcomer.login).execute();
    assert.deepEqual(rows.map((row) => row.actor), [`${app.slug}[bot]`]);
    const heard = await orgHook.waitFor((d) => d.event === 'membership' && d.action === 'added');
    assert.deepEqual([heard.payload.member.login, heard.payload.sender.login, heard.payload.sender.type], [newcomer.login, `${app.slug}[bot]`, 'Bot']);
    // Probot answered the delivery once its handler was done: 200.
    await waitUntil(async () => {
      const delivered = await t.server.ctx.db.selectFrom('hook_deliveries').select(['event', 'action', 'status_code'])
        .where('target_type', '=', 'integration').where('hook_id', '=', app.id).where('action', '=', 'member_added').execute();
      return delivered.some((row) => row.event === 'organization' && row.status_code === 200);
    }, 'the member_added delivery answered 200');
  });
});
