import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import AjvModule from 'ajv';
import formatsModule from 'ajv-formats';

const Ajv = AjvModule.default;
const addFormats = formatsModule.default;

/** The contract is shared/openapi beside the checkout; the package's own copy stands in where it is absent. */
const shared = fileURLToPath(new URL('../../../shared/openapi/orghub-operations.json', import.meta.url));
const vendored = fileURLToPath(new URL('../../openapi/orghub-operations.json', import.meta.url));
export const contractPath = existsSync(shared) ? shared : vendored;
const document = withNullableAlternatives(JSON.parse(readFileSync(contractPath, 'utf8')));

/**
 * OpenAPI 3.0's `nullable` beside `anyOf` without `type` (an installation's `account`) is refused by ajv: it becomes one
 * more alternative, null, as the server reads it (src/http/openapi.ts); a nullable `enum` lists null.
 */
function withNullableAlternatives(node: any): any {
  if (Array.isArray(node)) return node.map(withNullableAlternatives);
  if (!node || typeof node !== 'object') return node;
  const out = Object.fromEntries(Object.entries(node).map(([key, value]) => [key, withNullableAlternatives(value)]));
  if (out.nullable === true && out.type === undefined && Array.isArray(out.anyOf)) {
    delete out.nullable;
    out.anyOf = [...out.anyOf, { type: 'null' }];
  }
  // A nullable enum (a code scanning alert's `dismissed_reason`) takes null too: ajv checks `enum` before `nullable`.
  if (out.nullable === true && Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  return out;
}

const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
addFormats(ajv);
ajv.addSchema(document, 'contract');

const pointer = (...parts: string[]) =>
  parts.map((p) => encodeURIComponent(p.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/');

interface Route {
  method: string;
  template: string;
  pattern: RegExp;
}

const routes: Route[] = [];
for (const [template, item] of Object.entries<Record<string, unknown>>(document.paths)) {
  for (const method of Object.keys(item)) {
    const pattern = new RegExp('^' + template.replace(/\{[^}]+\}/g, '[^/]+') + '$');
    routes.push({ method: method.toUpperCase(), template, pattern });
  }
}

/** The described path template for a concrete request path (`/orgs/acme` → `/orgs/{org}`), or undefined. */
export function templateFor(method: string, path: string): string | undefined {
  const bare = path.replace(/^\/api\/v3(?=\/)/, '').split('?')[0];
  return routes.find((r) => r.method === method.toUpperCase() && r.pattern.test(bare))?.template;
}

/** Errors of `body` against the described response of (method, template, status); [] when valid or not described. */
export function responseErrors(method: string, template: string, status: number, body: unknown): string[] {
  const op = document.paths[template]?.[method.toLowerCase()];
  const response = op?.responses?.[String(status)];
  const content = response?.$ref ? undefined : response?.content?.['application/json'];
  if (!content?.schema) return [];
  const ref = `contract#/${pointer('paths', template, method.toLowerCase(), 'responses', String(status), 'content', 'application/json', 'schema')}`;
  const validate = ajv.getSchema(ref) ?? ajv.compile({ $ref: ref });
  if (validate(body)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message} ${JSON.stringify(e.params)}`);
}

/** Throws when a 2xx body does not validate against the contract. */
export function assertMatchesContract(method: string, path: string, status: number, body: unknown): void {
  if (status < 200 || status >= 300) return;
  const template = templateFor(method, path);
  if (!template) return;
  const errors = responseErrors(method, template, status, body);
  if (errors.length) {
    throw new Error(`${method} ${path} → ${status} does not match the contract:\n  ${errors.slice(0, 10).join('\n  ')}`);
  }
}
