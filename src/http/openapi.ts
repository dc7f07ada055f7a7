import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

type Json = any;

/** The contract: GitHub's own description of the operations we serve (a copy of shared/openapi at the package root). */
function loadDocument(): Json {
  // From src/http (tsx) and dist/http (compiled) alike, the package root is two levels up.
  return JSON.parse(readFileSync(fileURLToPath(new URL('../../openapi/orghub-operations.json', import.meta.url)), 'utf8'));
}

export const openapiDocument: Json = loadDocument();

export interface OperationDescription {
  operationId: string;
  method: string;
  path: string;
  docsUrl: string;
  querystring?: Json;
  body?: Json;
  responses: Record<string, Json>;
  /** Request body fields an API version removes (`x-github-breaking-changes`): ignored, like unknown fields, under it. */
  removedBodyFields: Partial<Record<string, string[]>>;
  /** `x-github.enabledForGitHubApps`: installation tokens may call it (fine-grained tokens may call more). */
  enabledForGitHubApps: boolean;
}

/** `{version: [field …]}` for the body properties each breaking change patches to null. */
function removedBodyFields(op: Json): Partial<Record<string, string[]>> {
  const out: Partial<Record<string, string[]>> = {};
  for (const change of op['x-github-breaking-changes'] ?? []) {
    const properties = change.patch?.requestBody?.content?.['application/json']?.schema?.properties ?? {};
    const removed = Object.keys(properties).filter((name) => properties[name] === null);
    if (removed.length) out[change.version] = [...(out[change.version] ?? []), ...removed];
  }
  return out;
}

const DOCUMENTATION_KEYS = new Set(['example', 'examples', 'description', 'x-github', 'deprecated', 'summary']);

function resolveEach(map: Json, seen: string[]): Json {
  return Object.fromEntries(Object.entries(map).map(([name, schema]) => [name, resolve(schema, seen)]));
}

/** Inlines `$ref`s, keeping only what JSON Schema validators and serializers understand. */
function resolve(node: Json, seen: string[] = []): Json {
  if (Array.isArray(node)) return node.map((n) => resolve(n, seen));
  if (!node || typeof node !== 'object') return node;
  if (typeof node.$ref === 'string') {
    const ref: string = node.$ref;
    if (seen.includes(ref)) return {};
    const target = ref.replace(/^#\//, '').split('/').reduce((n: Json, key: string) => n[key], openapiDocument);
    return resolve(target, [...seen, ref]);
  }
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) {
    if (DOCUMENTATION_KEYS.has(key)) continue;
    // Under `properties` the keys are field names (an org has a `description` field), not keywords.
    out[key] = key === 'properties' ? resolveEach(value as Json, seen) : resolve(value, seen);
  }
  // OpenAPI 3.0's `nullable` means nothing without `type` (ajv refuses it): a nullable `anyOf` (an installation's
  // `account`) is one more alternative, null.
  if (out.nullable === true && out.type === undefined && Array.isArray(out.anyOf)) {
    delete out.nullable;
    out.anyOf = [...out.anyOf, { type: 'null' }];
  }
  return out;
}

const byOperationId = new Map<string, OperationDescription>();
for (const [path, item] of Object.entries<Json>(openapiDocument.paths)) {
  for (const [method, op] of Object.entries<Json>(item)) {
    const params = (op.parameters ?? []).map((p: Json) => resolve(p));
    const query = params.filter((p: Json) => p.in === 'query');
    const responses: Record<string, Json> = {};
    for (const [status, response] of Object.entries<Json>(op.responses ?? {})) {
      const schema = resolve(response)?.content?.['application/json']?.schema;
      if (schema) responses[status] = schema;
    }
    byOperationId.set(op.operationId, {
      operationId: op.operationId,
      method: method.toUpperCase(),
      path,
      docsUrl: op.externalDocs?.url ?? 'https://docs.github.com/rest',
      querystring: query.length
        ? { type: 'object', properties: Object.fromEntries(query.map((p: Json) => [p.name, p.schema])) }
        : undefined,
      body: resolve(op.requestBody)?.content?.['application/json']?.schema,
      responses,
      removedBodyFields: removedBodyFields(op),
      enabledForGitHubApps: op['x-github']?.enabledForGitHubApps !== false,
    });
  }
}

export function describeOperation(operationId: string): OperationDescription | undefined {
  return byOperationId.get(operationId);
}

export function componentSchema(name: string): Json {
  return resolve({ $ref: `#/components/schemas/${name}` });
}
