import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from './support/server.js';

describe('smoke', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  it('serves GET /orgs/{org} on both base URLs', async () => {
    await t.createOrg('Acme');
    for (const ghes of [false, true]) {
      const { data } = await t.octokit(t.admin.token, { ghes }).rest.orgs.get({ org: 'acme' });
      assert.equal(data.login, 'Acme');
      assert.equal(data.billing_email, null);
    }
  });
});
