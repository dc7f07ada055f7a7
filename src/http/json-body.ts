import type { FastifyInstance } from 'fastify';
import { ApiError } from './errors.js';

type Json = any;

/** GitHub (Rails) parses request bodies with `max_nesting` 100: a body nested deeper is not parsed at all. */
export const MAX_JSON_NESTING = 100;

/** Items an array anywhere in a request body may hold where the description sets no `maxItems`. */
export const DEFAULT_MAX_ITEMS = 100;

const problemsParsingJson = () => new ApiError(400, 'Problems parsing JSON');

/**
 * Whether `text` has more than `limit` arrays and objects open at once, in one pass without recursion: anything
 * recursive over a deeper body (a validator, a serializer) would overflow the stack.
 */
export function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++; // the escaped character cannot end the string
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > limit) return true;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
      depth--;
    }
  }
  return false;
}

function parseJsonBody(_request: unknown, body: string, done: (err: Error | null, value?: unknown) => void) {
  if (body.trim() === '') return done(null, undefined);
  if (nestsDeeperThan(body, MAX_JSON_NESTING)) return done(problemsParsingJson());
  try {
    done(null, JSON.parse(body));
  } catch {
    done(problemsParsingJson());
  }
}

/** GitHub reads every request body as JSON, whatever Content-Type says (curl -d sends form encoding). */
export function readBodiesAsJson(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, parseJsonBody);
  // Fastify answers 415 to a Content-Type it cannot read (empty, `application/json, text/html`) before choosing a
  // parser; without one it hands any body to the catch-all parser above.
  app.addHook('onRequest', (request, _reply, done) => {
    if (request.headers['content-type'] !== undefined) delete request.headers['content-type'];
    done();
  });
}

const SUBSCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf', 'prefixItems'];
const SUBSCHEMA_MAPS = ['properties', 'patternProperties'];
const SUBSCHEMAS = ['items', 'additionalProperties', 'not'];

/**
 * A copy of a request body schema where every place that may hold an array (typed `array`, or untyped) and sets no
 * `maxItems` gets `DEFAULT_MAX_ITEMS`: an unbounded array would reach the stores as one SQL parameter per item.
 */
export function withBoundedArrays<T>(schema: T): T {
  const node = schema as Json;
  if (!node || typeof node !== 'object') return schema; // `true` / `false` schemas, or no schema at all
  const out: Json = { ...node };
  for (const key of SUBSCHEMA_LISTS) if (Array.isArray(node[key])) out[key] = node[key].map(withBoundedArrays);
  for (const key of SUBSCHEMA_MAPS) {
    if (node[key]) out[key] = Object.fromEntries(Object.entries(node[key]).map(([name, sub]) => [name, withBoundedArrays(sub)]));
  }
  for (const key of SUBSCHEMAS) {
    if (key in node) out[key] = Array.isArray(node[key]) ? node[key].map(withBoundedArrays) : withBoundedArrays(node[key]);
  }
  const mayBeArray = node.type === undefined || [node.type].flat().includes('array');
  if (mayBeArray && node.maxItems === undefined) out.maxItems = DEFAULT_MAX_ITEMS;
  return out;
}
