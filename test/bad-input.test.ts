/**
 * A sweep over every registered operation: bad input always gets GitHub's error shape (`message`,
 * `documentation_url`, and `errors` for 422), never a 5xx, and never a half-written change.
 * Cases come from each operation's described schemas (test/support/sweep.ts), so an operation added to
 * src/app.ts is swept without touching this file.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hasBody, REJECTED, sweepSuite, targets, typeOf, type BadRequest, type Schema, type Target } from './support/sweep.js';

// A path naming nothing: 404, or 422/403 where the route answers for the name it was given (not yourself, not a member).
const NOT_FOUND = [403, 404, 422];
const HUGE = '99999999999999999999';
/** One past the largest id PostgreSQL's `integer` holds: a safe JavaScript integer that no store can look up naively. */
const PAST_INT4 = '2147483648';
/** A string no login, name or text column can hold on PostgreSQL. */
const WITH_NUL = 'nul\u0000inside';

const nullable = (schema: Schema) => schema.nullable === true || (Array.isArray(schema.type) && schema.type.includes('null'));

/** Values of the wrong type (or out of range) for one described field. */
function wrongValuesFor(schema: Schema): unknown[] {
  const orNull = nullable(schema) ? [] : [null];
  if (schema.enum) return ['not-a-value', 123, ...orNull];
  switch (typeOf(schema)) {
    case 'string':
      return [123, WITH_NUL, ...orNull];
    case 'integer':
      return ['x', Number(HUGE), Number(PAST_INT4), -1, 1.5, ...orNull];
    case 'number':
      return ['x', ...orNull];
    case 'boolean':
      return ['yes', ...orNull];
    case 'array':
      return [{}, 'x', ...orNull, ...(schema.items ? wrongValuesFor(schema.items).map((item) => [item]) : [])];
    case 'object':
      return ['x', [], ...orNull];
    default:
      return [];
  }
}

// ---- the cases each concern sends ---------------------------------------------------------------

function malformedJson(target: Target): BadRequest[] {
  if (!hasBody(target)) return [];
  return ['{', '{"a":', "{'a': 1}", 'not json', '{"a": 1}}'].map((rawBody) => ({
    label: `body ${rawBody}`,
    rawBody,
    statuses: [400],
    message: 'Problems parsing JSON',
  }));
}

function wrongTopLevel(target: Target): BadRequest[] {
  if (typeOf(target.body ?? {}) !== 'object') return [];
  const values: unknown[] = [[], [target.example ?? {}], 'a string', 42, true, ...(target.nullBodyDescribed ? [] : [null])];
  return values.map((body) => ({ label: `body ${JSON.stringify(body)}`, body, statuses: REJECTED }));
}

/** Each wrong value alone, and within the described example (so checks behind the other fields' are reached too). */
function wrongFields(target: Target): BadRequest[] {
  const properties = Object.entries<Schema>(target.body?.properties ?? {});
  const withExample = Object.keys(target.example ?? {}).length > 0;
  return properties.flatMap(([name, schema]) =>
    wrongValuesFor(schema).flatMap((value) => [
      { label: `${name}: ${JSON.stringify(value)} alone`, body: { [name]: value }, statuses: REJECTED },
      ...(withExample ? [{ label: `${name}: ${JSON.stringify(value)} in the example`, body: { ...target.example, [name]: value }, statuses: REJECTED }] : []),
    ]),
  );
}

function badQueries(target: Target): BadRequest[] {
  const properties = Object.entries<Schema>(target.query?.properties ?? {});
  const refused = [422, 403, 404];
  return properties.flatMap(([name, schema]): BadRequest[] => {
    const query = (value: string, statuses?: number[]) => ({ label: `?${name}=${value}`, query: `${name}=${value}`, statuses });
    if (schema.enum) return [query('not-a-value', refused)];
    if (typeOf(schema) !== 'integer') return [];
    const paging = name === 'page' || name === 'per_page';
    return [query('abc', refused), query('1.5', refused), query('-1', paging ? refused : undefined), query(HUGE), query(`-${HUGE}`)];
  });
}

function badPaths(target: Target): BadRequest[] {
  const params = [...target.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
  return params.flatMap((param) => {
    const values: [string, string, number[]][] = [
      ['very long', 'a'.repeat(2000), NOT_FOUND],
      ['unicode', encodeURIComponent('ünïcødé-名前-🙂'), NOT_FOUND],
      ['NUL', '%00', NOT_FOUND],
      ['NUL inside', `x%00${param}`, NOT_FOUND],
      ['broken percent-encoding', '%E0%A4%A', NOT_FOUND],
      ['out of range', HUGE, NOT_FOUND],
      ['past int4', PAST_INT4, NOT_FOUND],
      ['negative', '-1', NOT_FOUND],
      ['negative out of range', `-${HUGE}`, NOT_FOUND],
      ...(target.integerParams.has(param)
        ? ([['not a number', 'abc', NOT_FOUND], ['fraction', '1.5', NOT_FOUND], ['zero', '0', NOT_FOUND]] as [string, string, number[]][])
        : []),
    ];
    return values.map(([label, value, statuses]) => ({ label: `{${param}} ${label}`, params: { [param]: value }, statuses }));
  });
}

const { sweepEach } = sweepSuite('bad-input sweep');

describe('malformed JSON bodies → 400 "Problems parsing JSON"', () => {
  sweepEach('400 for every unparsable body, whatever the route', malformedJson);
});

describe('bodies of the wrong top-level type → 4xx', () => {
  sweepEach('array, string, number, boolean and null bodies are refused', wrongTopLevel);
});

describe('fields of the wrong type or out of range → 4xx', () => {
  // The owner (or site admin) may call every operation with a body: a wrong field must be a 422, not only a 404.
  sweepEach('every described field with a wrong value is refused', wrongFields, 422);
});

describe('bad query parameters → 422 (or the route\'s permission answer)', () => {
  sweepEach('non-numeric, negative and unknown enum values are refused; huge numbers are no server error', badQueries);
});

describe('bad path values → 404/422', () => {
  sweepEach('long, unicode, NUL, out-of-range, negative and non-numeric values are refused', badPaths);
});

describe('the sweep covers every operation', () => {
  it('each registered operation gets at least one bad request', () => {
    const uncovered = targets.filter((x) => [malformedJson, wrongTopLevel, wrongFields, badQueries, badPaths].every((f) => f(x).length === 0));
    // GET without parameters, query or body (GET /user, /rate_limit) has nothing to get wrong.
    assert.deepEqual(uncovered.map((x) => x.id).sort(), targets.filter((x) => x.method === 'GET' && !x.query && !x.path.includes('{')).map((x) => x.id).sort());
  });
});
