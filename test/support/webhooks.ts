/**
 * Webhook receivers for tests: a real HTTP server on 127.0.0.1 that checks every delivery as a GitHub webhook consumer
 * would (headers, both signatures, `@octokit/webhooks` verification, the payload against GitHub's webhook schemas), and
 * a guard that fails on any connection beyond loopback.
 */
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { createRequire } from 'node:module';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import net from 'node:net';
import { after, before, type TestContext } from 'node:test';
import type { Octokit } from '@octokit/rest';
import { Webhooks } from '@octokit/webhooks';
import AjvModule from 'ajv';
import formatsModule from 'ajv-formats';
import type { DeliveryRow } from '../../src/hooks/store.js';
import { startTestServer, type TestServer, type TestUser } from './server.js';
import type { ConfigInput } from '../../src/index.js';

const Ajv = AjvModule.default;
const addFormats = formatsModule.default;

// GitHub's own description of every webhook payload (`webhooks` keyed `organization-member-added` …).
const webhooksDocument = createRequire(import.meta.url)('@octokit/openapi-webhooks/generated/api.github.com.json');
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
addFormats(ajv);
ajv.addSchema(webhooksDocument, 'webhooks');

/** The `webhooks` key of an event and action: `org_block` `blocked` → `org-block-blocked`; `ping` → `ping`. */
const schemaKey = (event: string, action: string | null | undefined) => (action ? `${event}-${action}` : event).replace(/_/g, '-');

/** Throws unless `payload` validates against GitHub's schema for the event and action. */
export function assertMatchesWebhookSchema(event: string, action: string | null | undefined, payload: unknown): void {
  const key = schemaKey(event, action);
  assert.ok(webhooksDocument.webhooks[key], `no webhook schema for ${key}`);
  const ref = `webhooks#/webhooks/${key}/post/requestBody/content/application~1json/schema`;
  const validate = ajv.getSchema(ref) ?? ajv.compile({ $ref: ref });
  if (!validate(payload)) {
    const errors = (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message} ${JSON.stringify(e.params)}`);
    assert.fail(`${key} payload does not match its webhook schema:\n  ${errors.slice(0, 10).join('\n  ')}`);
  }
}

/** One delivery as the receiver got it, checked. */
export interface ReceivedDelivery {
  /** The request path (hooks of one org need distinct URLs: `receiver.url + '/a'`). */
  path: string;
  event: string;
  action: string | null;
  guid: string;
  hookId: number;
  targetId: number;
  contentType: 'json' | 'form';
  headers: IncomingHttpHeaders;
  /** The body exactly as sent (what the signatures cover). */
  rawBody: string;
  payload: any;
}

export interface Receiver {
  /** `http://127.0.0.1:PORT`; any path under it is received too. */
  url: string;
  /** The secret every delivery must be signed with; null: deliveries must be unsigned. Settable: an app's is made by the server. */
  secret: string | null;
  /** Deliveries that passed every check, in arrival order. */
  deliveries: ReceivedDelivery[];
  /** Waits (bounded) until `count` deliveries arrived, or one matching `predicate` did; fails on any bad delivery. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedDelivery[]>;
  waitFor(predicate: (delivery: ReceivedDelivery) => boolean, timeoutMs?: number): Promise<ReceivedDelivery>;
  /** The status later deliveries are answered with (200 by default). */
  respondWith(status: number): void;
  /** Stops listening; fails if any delivery was bad. */
  close(): Promise<void>;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const POLL_MS = 10;
export const DELIVERY_TIMEOUT_MS = 5_000;

const hmac = (algorithm: 'sha1' | 'sha256', secret: string, body: string) => `${algorithm}=${createHmac(algorithm, secret).update(body).digest('hex')}`;

/** Everything a GitHub webhook consumer relies on, checked; the delivery, or the problem with it. */
async function check(path: string, headers: IncomingHttpHeaders, rawBody: string, secret: string | null, targetType: TargetType): Promise<ReceivedDelivery> {
  const header = (name: string) => {
    const value = headers[name];
    assert.equal(typeof value, 'string', `header ${name} missing`);
    return value as string;
  };
  assert.match(header('user-agent'), /^GitHub-Hookshot\//);
  const event = header('x-github-event');
  const guid = header('x-github-delivery');
  assert.match(guid, GUID, 'X-GitHub-Delivery is a GUID');
  const hookId = header('x-github-hook-id');
  const targetId = header('x-github-hook-installation-target-id');
  assert.match(hookId, /^\d+$/);
  assert.match(targetId, /^\d+$/);
  assert.equal(header('x-github-hook-installation-target-type'), targetType);
  const mediaType = header('content-type').split(';')[0].trim();
  assert.ok(mediaType === 'application/json' || mediaType === 'application/x-www-form-urlencoded', `Content-Type ${mediaType}`);
  const contentType = mediaType === 'application/json' ? 'json' : 'form';
  let text = rawBody;
  if (contentType === 'form') {
    assert.match(rawBody, /^payload=[^&]*$/, 'a form body is `payload=<urlencoded JSON>` alone');
    text = new URLSearchParams(rawBody).get('payload')!;
  }
  const payload = JSON.parse(text);
  if (secret === null) {
    assert.equal(headers['x-hub-signature'], undefined, 'an unsigned hook sends no X-Hub-Signature');
    assert.equal(headers['x-hub-signature-256'], undefined, 'an unsigned hook sends no X-Hub-Signature-256');
  } else {
    assert.equal(header('x-hub-signature'), hmac('sha1', secret, rawBody), 'X-Hub-Signature is the HMAC-SHA1 of the body');
    const signature = header('x-hub-signature-256');
    assert.equal(signature, hmac('sha256', secret, rawBody), 'X-Hub-Signature-256 is the HMAC-SHA256 of the body');
    const webhooks = new Webhooks({ secret });
    if (contentType === 'json') {
      await webhooks.verifyAndReceive({ id: guid, name: event, signature, payload: rawBody });
    } else {
      // verifyAndReceive parses what it verifies as JSON; a form body is verified raw and received decoded.
      assert.ok(await webhooks.verify(rawBody, signature), '@octokit/webhooks verifies the form body');
      await webhooks.receive({ id: guid, name: event as never, payload });
    }
  }
  const action = typeof payload.action === 'string' ? payload.action : null;
  assertMatchesWebhookSchema(event, action, payload);
  return { path, event, action, guid, hookId: Number(hookId), targetId: Number(targetId), contentType, headers, rawBody, payload };
}

/** Who a delivery is for: an org hook, or a GitHub App's hook (`integration`). */
export type TargetType = 'organization' | 'integration';

/**
 * A webhook receiver on 127.0.0.1 (a free port). `secret`: what hooks pointing here sign with (default a random one);
 * `targetType`: whose hook it is (default an org's).
 */
export async function startReceiver(options: { secret?: string | null; targetType?: TargetType } = {}): Promise<Receiver> {
  let secret = options.secret === undefined ? randomBytes(12).toString('hex') : options.secret;
  const deliveries: ReceivedDelivery[] = [];
  const problems: string[] = [];
  let status = 200;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const answer = status;
      check(request.url ?? '/', request.headers, rawBody, secret, options.targetType ?? 'organization').then(
        (delivery) => {
          deliveries.push(delivery);
          response.writeHead(answer, { 'content-type': 'text/plain' }).end(`received ${delivery.guid}`);
        },
        (error: Error) => {
          problems.push(`${request.headers['x-github-event']} ${request.headers['x-github-delivery']}: ${error.message}`);
          response.writeHead(400).end();
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const noProblems = () => assert.deepEqual(problems, [], 'bad deliveries');

  const received = () => deliveries.map((d) => `${d.event}${d.action ? `.${d.action}` : ''}`).join(', ') || 'none';
  const waitFor = (target: number | ((delivery: ReceivedDelivery) => boolean), timeoutMs?: number): Promise<any> =>
    waitUntil(
      async () => {
        noProblems();
        return typeof target === 'number' ? deliveries.length >= target && deliveries.slice() : deliveries.find(target);
      },
      () => `${typeof target === 'number' ? `${target} deliveries` : 'a matching delivery'} (received: ${received()})`,
      timeoutMs,
    );

  return {
    url: `http://127.0.0.1:${port}`,
    get secret() {
      return secret;
    },
    set secret(next) {
      secret = next;
    },
    deliveries,
    waitFor,
    respondWith(next) {
      status = next;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      noProblems();
    },
  };
}

/** Polls `condition` until it holds (bounded); fails naming `what` otherwise. */
export async function waitUntil<T>(condition: () => Promise<T | undefined | false>, what: string | (() => string), timeoutMs = DELIVERY_TIMEOUT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) assert.fail(`${typeof what === 'string' ? what : what()}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** The hook's deliveries once `count` of them have been attempted (the engine records an attempt after the answer). */
export async function waitForAttempts(t: TestServer, hookId: number, count: number): Promise<DeliveryRow[]> {
  return waitUntil(async () => {
    const rows = await t.server.ctx.db.selectFrom('hook_deliveries').selectAll().where('hook_id', '=', hookId).where('state', '=', 'done').orderBy('id').execute();
    return rows.length >= count && rows;
  }, `${count} attempted deliveries of hook ${hookId}`);
}

/** Every delivery recorded for the hook, attempted or not. */
export async function deliveryRows(t: TestServer, hookId: number): Promise<DeliveryRow[]> {
  return t.server.ctx.db.selectFrom('hook_deliveries').selectAll().where('hook_id', '=', hookId).orderBy('id').execute();
}

const loopback = new net.BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');
loopback.addSubnet('::ffff:127.0.0.0', 104, 'ipv6');

const isLoopback = (address: string) => loopback.check(address, net.isIP(address) === 6 ? 'ipv6' : 'ipv4');

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
type Lookup = (hostname: string, options: object, callback: LookupCallback) => void;

/**
 * Refuses, and records, every TCP connection this process would make to an address beyond loopback: a literal address
 * is refused before connecting, a name once it resolved (the address a socket would connect to). Unix sockets pass.
 */
export function installConnectGuard(): { violations: string[]; uninstall(): void } {
  const violations: string[] = [];
  const original = net.Socket.prototype.connect;
  const refused = (address: string) => Object.assign(new Error(`connect guard: ${address} is not loopback`), { code: 'ECONNREFUSED' });
  const guardedLookup = (lookup: Lookup): Lookup => (hostname, options, callback) =>
    lookup(hostname, options, (error, address, family) => {
      if (error) return callback(error, address, family);
      const addresses = Array.isArray(address) ? address.map((a) => a.address) : [address];
      const outside = addresses.find((a) => !isLoopback(a));
      if (outside === undefined) return callback(null, address, family);
      violations.push(`${hostname} → ${outside}`);
      callback(refused(outside), '', 4);
    });
  net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
    // net.connect passes its normalized [options, listener]; socket.connect(options | port[, host] | path) are the public forms.
    if (typeof args[0] === 'number' || (typeof args[0] === 'string' && /^\d+$/.test(args[0]))) {
      const host = typeof args[1] === 'string' ? args[1] : undefined;
      args = [{ port: Number(args[0]), host }, ...args.slice(host === undefined ? 1 : 2)];
    } else if (typeof args[0] === 'string') {
      args = [{ path: args[0] }, ...args.slice(1)];
    }
    const options = (Array.isArray(args[0]) ? args[0][0] : args[0]) as { host?: string; path?: string; lookup?: Lookup };
    if (options.path === undefined) {
      const host = (options.host ?? 'localhost').replace(/^\[|\]$/g, '');
      if (net.isIP(host)) {
        if (!isLoopback(host)) {
          violations.push(host);
          process.nextTick(() => this.destroy(refused(host)));
          return this;
        }
      } else {
        options.lookup = guardedLookup(options.lookup ?? (dnsLookup as unknown as Lookup));
      }
    }
    return (original as (...a: unknown[]) => net.Socket).apply(this, args);
  } as typeof original;
  return {
    violations,
    uninstall() {
      net.Socket.prototype.connect = original;
    },
  };
}

/** A receiver and an active hook of `org` (made by its owner, whose token has `admin:org_hook`) sending it `events`; closed when the test ends. */
export async function hookedReceiver(test: TestContext, owner: { octokit: Octokit }, org: string, events: string[]): Promise<Receiver> {
  const receiver = await startReceiver();
  test.after(() => receiver.close());
  await owner.octokit.rest.orgs.createWebhook({ org, name: 'web', config: { url: receiver.url, content_type: 'json', secret: receiver.secret! }, events });
  return receiver;
}

/**
 * The test file's server, started before its tests and closed after them, with every outgoing connection checked to
 * stay on loopback (webhooks and apps' targets); `started` receives it and the guard.
 */
export function useGuardedServer(config: ConfigInput, started: (server: TestServer, guard: ReturnType<typeof installConnectGuard>) => void): void {
  let server: TestServer;
  let guard: ReturnType<typeof installConnectGuard>;
  before(async () => {
    guard = installConnectGuard();
    server = await startTestServer(config);
    started(server, guard);
  });
  after(async () => {
    await server.close();
    guard.uninstall();
    assert.deepEqual(guard.violations, [], 'no connection beyond loopback was attempted');
  });
}

/** A new org `{prefix}{n}-org` owned by a new user `{prefix}{n}-owner` whose token has every scope. */
export function orgFactory(server: () => TestServer, prefix: string): () => Promise<{ owner: TestUser; org: string; orgId: number }> {
  let count = 0;
  return async () => {
    const n = ++count;
    const owner = await server().createUser(`${prefix}${n}-owner`);
    const { login, id } = await server().createOrg(`${prefix}${n}-org`, owner.login);
    return { owner, org: login, orgId: id };
  };
}
