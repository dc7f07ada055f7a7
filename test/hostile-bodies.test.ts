/**
 * Hostile request bodies over every write operation (targets from the operations table, test/support/sweep.ts):
 * JSON nested 100,000 deep is a 400 "Problems parsing JSON" and an array field of 100,000 items a 422, each in
 * GitHub's error shape, without a write, and with the server answering afterwards. Just inside both limits the
 * body is read and validated as usual. Whatever the Content-Type header says, the body is read as JSON.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { describe, it } from 'node:test';
import { DEFAULT_MAX_ITEMS, MAX_JSON_NESTING } from '../src/http/json-body.js';
import { hasBody, plausibleValue, sweepSuite, targets, typeOf, type BadRequest, type Schema, type Target } from './support/sweep.js';

const HOSTILE_DEPTH = 100_000;
const HOSTILE_ITEMS = 100_000;
const NOT_PARSED = { statuses: [400], message: 'Problems parsing JSON' };

type Shape = 'arrays' | 'objects';

/** JSON text of `depth` nested arrays or objects, built as text: JSON.stringify would overflow the stack. */
const nestedJson = (depth: number, shape: Shape) =>
  shape === 'arrays' ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth - 1) + '{}' + '}'.repeat(depth - 1);

/** A whole body of `depth` nested arrays or objects. */
const nestedBody = (depth: number, shape: Shape) => ({ label: `${depth} nested ${shape}`, rawBody: nestedJson(depth, shape) });

/** The example body with its first described field nested so that the body is `depth` levels deep in all. */
function nestedInField(target: Target, depth: number, shape: Shape): { label: string; rawBody: string }[] {
  const field = Object.keys(target.body?.properties ?? {})[0];
  if (field === undefined) return [];
  const others = Object.entries(target.example ?? {}).filter(([name]) => name !== field);
  const members = [...others.map(([name, value]) => `${JSON.stringify(name)}:${JSON.stringify(value)}`), `${JSON.stringify(field)}:${nestedJson(depth - 1, shape)}`];
  return [{ label: `${depth} nested ${shape} in all, in ${field}`, rawBody: `{${members.join(',')}}` }];
}

/** An array of the body schema (at any depth) and where it sits: property names, `0` for an array's item. */
interface ArrayField {
  path: (string | number)[];
  schema: Schema;
}

function arrayFields(schema: Schema | undefined, path: (string | number)[] = []): ArrayField[] {
  if (!schema || typeof schema !== 'object') return [];
  const found = [
    ...(typeOf(schema) === 'array' ? [{ path, schema }] : []),
    ...Object.entries<Schema>(schema.properties ?? {}).flatMap(([name, sub]) => arrayFields(sub, [...path, name])),
    ...arrayFields(schema.items, [...path, 0]),
    ...['oneOf', 'anyOf', 'allOf'].flatMap((key) => (schema[key] ?? []).flatMap((sub: Schema) => arrayFields(sub, path))),
  ];
  return found.filter((field, i) => found.findIndex((other) => other.path.join('/') === field.path.join('/')) === i);
}

const limitOf = (field: ArrayField): number => field.schema.maxItems ?? DEFAULT_MAX_ITEMS;

/** `root` with `value` at `path` (objects and one-item arrays made on the way, keeping the example's first item's other fields). */
function placedAt(root: unknown, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [key, ...rest] = path;
  if (typeof key === 'number') return [placedAt(Array.isArray(root) ? root[0] : undefined, rest, value)];
  const object = (root && typeof root === 'object' && !Array.isArray(root) ? root : {}) as Record<string, unknown>;
  return { ...object, [key]: placedAt(object[key], rest, value) };
}

/** `count` items of the field's item type, distinct where the type allows: a service deduplicates before any SQL. */
function itemsFor(field: ArrayField, count: number, sample: unknown): unknown[] {
  const items: Schema = field.schema.items ?? {};
  const type = typeOf(items);
  if (!items.enum && (type === 'integer' || type === 'number')) return Array.from({ length: count }, (_, i) => i + 1);
  if (!items.enum && type === 'string') return Array.from({ length: count }, (_, i) => String(i));
  // Objects: the example's own item (its required fields filled) where so many fit the 1 MiB body limit, else a plausible one.
  const fits = sample !== undefined && count * JSON.stringify(sample).length < 512 * 1024;
  return new Array(count).fill(fits ? sample : plausibleValue(items));
}

/** The value at `path` in `root` (first items of arrays), if any. */
function valueAt(root: unknown, path: (string | number)[]): unknown {
  return path.reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string | number, unknown>)[typeof key === 'number' ? 0 : key] : undefined), root);
}

/** The example body with `count` items in the array field (100,000 short ones stay under the 1 MiB body limit). */
const withItems = (target: Target, field: ArrayField, count: number) =>
  placedAt(target.example, field.path, itemsFor(field, count, valueAt(target.example, [...field.path, 0])));

/** GitHub's 422 for an array over its limit. */
const overLimit = (field: ArrayField, count: number) =>
  `Invalid request.\n\nFor 'properties/${field.path.join('/')}', no more than ${limitOf(field)} items are allowed; ${count} were supplied.`;

function tooDeep(target: Target): BadRequest[] {
  if (!hasBody(target)) return [];
  return (['arrays', 'objects'] as const)
    .flatMap((shape) => [nestedBody(HOSTILE_DEPTH, shape), ...nestedInField(target, HOSTILE_DEPTH, shape)])
    .map((bad) => ({ ...bad, ...NOT_PARSED }));
}

/** The example body with `countFor(field)` items in each array field in turn: GitHub's 422 naming the field. */
function tooManyItems(countFor: (field: ArrayField) => number) {
  return (target: Target): BadRequest[] =>
    arrayFields(target.body).map((field) => {
      const count = countFor(field);
      return { label: `${count} items in ${field.path.join('.')}`, body: withItems(target, field, count), statuses: [422], message: overLimit(field, count) };
    });
}

/** At the limit the parser reads the body and its types answer (422); one level deeper it is not read (400). */
function depthBoundary(target: Target): BadRequest[] {
  // An object body refuses an array, and its first field (never an object) a nesting, before any handler runs; a
  // whole body of nested objects would be read as an unknown field and could be obeyed, so it is only sent too deep.
  if (typeOf(target.body ?? {}) !== 'object') return [];
  const parsed = (depth: number) => [nestedBody(depth, 'arrays'), ...nestedInField(target, depth, 'arrays'), ...nestedInField(target, depth, 'objects')];
  // Brackets in a string nest nothing, whatever the escapes (`\"` inside, `\\` just before the closing quote).
  const bracketsInString = { label: 'a string of brackets and escapes', rawBody: JSON.stringify(`"${'['.repeat(MAX_JSON_NESTING + 1)}\\`) };
  return [
    ...[...parsed(MAX_JSON_NESTING), bracketsInString].map((bad) => ({ ...bad, statuses: [422] })),
    ...[...parsed(MAX_JSON_NESTING + 1), nestedBody(MAX_JSON_NESTING + 1, 'objects')].map((bad) => ({ ...bad, ...NOT_PARSED })),
  ];
}

const suite = sweepSuite('hostile-bodies sweep');

describe(`JSON nested ${HOSTILE_DEPTH} deep → 400 "Problems parsing JSON"`, () => {
  suite.sweepEach('arrays and objects, as the body and inside a valid body, are refused unparsed', tooDeep);
});

describe(`arrays of ${HOSTILE_ITEMS} items → 422`, () => {
  it('the sweep finds the array fields of the bodies', () => {
    const found = targets.flatMap((target) => arrayFields(target.body).map((field) => `${target.id} ${field.path.join('.')}`));
    assert.ok(found.includes('orgs/create-invitation team_ids'), found.join(', '));
  });
  suite.sweepEach('every array field of the body is bounded before anything reads it', tooManyItems(() => HOSTILE_ITEMS));
});

describe('just inside the limits the body is read', () => {
  suite.sweepEach(`nesting of ${MAX_JSON_NESTING} levels is parsed, ${MAX_JSON_NESTING + 1} is not`, depthBoundary);
  suite.sweepEach('an array one item over its limit is a 422', tooManyItems((field) => limitOf(field) + 1));
  for (const target of targets) {
    const fields = arrayFields(target.body);
    if (fields.length === 0) continue;
    // It may be answered, and written, as any request: only the schema's verdict is checked.
    it(`${target.id}: an array of exactly its limit passes schema validation`, async () => {
      const { t, fill, tokenFor } = suite.server;
      for (const field of fields) {
        const response = await t.request(target.method, fill(target.path), { token: tokenFor(target), body: withItems(target, field, limitOf(field)) });
        const where = `${field.path.join('.')}: ${response.status} ${response.text.slice(0, 200)}`;
        assert.ok(response.status < 500, where);
        assert.ok(!(response.status === 422 && String(response.body?.message).startsWith('Invalid request.')), where);
      }
    });
  }
});

/** A PATCH with exactly this Content-Type header (`undefined`: none), which fetch would fill in by itself. */
function patchWithContentType(url: string, token: string, contentType: string | undefined, body: string): Promise<{ status: number; body: any }> {
  const headers: Record<string, string | number> = { authorization: `Bearer ${token}`, 'content-length': Buffer.byteLength(body) };
  if (contentType !== undefined) headers['content-type'] = contentType;
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: 'PATCH', headers }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, body: JSON.parse(text) }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

describe('the body is JSON whatever Content-Type says', () => {
  const contentTypes: [string, string | undefined][] = [
    ['an empty Content-Type', ''],
    ['a list of media types', 'application/json, text/html'],
    ['text/plain', 'text/plain'],
    ['no Content-Type', undefined],
    ['form encoding (curl -d)', 'application/x-www-form-urlencoded'],
  ];
  for (const [label, contentType] of contentTypes) {
    it(`${label}: PATCH /orgs/{org} reads the JSON`, async () => {
      const { t, fill } = suite.server;
      const update = targets.find((target) => target.id === 'orgs/update')!;
      const description = `set with ${label}`;
      const response = await patchWithContentType(`${t.url}${fill(update.path)}`, suite.server.tokenFor(update), contentType, JSON.stringify({ description }));
      assert.equal(response.status, 200, JSON.stringify(response.body));
      assert.equal(response.body.description, description);
    });
  }
});
