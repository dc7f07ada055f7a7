import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { answerForStoreRefusal } from './store-refusals.js';

export const DOCS_ROOT = 'https://docs.github.com/rest';

export interface FieldError {
  resource: string;
  field?: string;
  code: 'missing' | 'missing_field' | 'invalid' | 'already_exists' | 'unprocessable' | 'custom';
  message?: string;
  value?: string | number | null;
}

/** An answer in GitHub's error shape: `message`, `documentation_url`, `status`, and `errors` for 422. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly options: { errors?: FieldError[]; documentationUrl?: string; headers?: Record<string, string> } = {},
  ) {
    super(message);
  }
}

export const notFound = () => new ApiError(404, 'Not Found');
export const forbidden = (message: string) => new ApiError(403, message);
export const requiresAuthentication = () => new ApiError(401, 'Requires authentication');
export const validationFailed = (errors: FieldError[], message = 'Validation Failed') =>
  new ApiError(422, message, { errors });
/** A single-field 422, the most common validation answer. */
export const invalidField = (resource: string, field: string, code: FieldError['code'] = 'invalid', message?: string) =>
  validationFailed([{ resource, field, code, ...(message ? { message } : {}) }]);

export function errorBody(status: number, message: string, documentationUrl: string, errors?: FieldError[]) {
  return { message, documentation_url: documentationUrl, status: String(status), ...(errors ? { errors } : {}) };
}

function documentationUrlFor(request: FastifyRequest): string {
  return (request.routeOptions.config as { docsUrl?: string } | undefined)?.docsUrl ?? DOCS_ROOT;
}

/** Turns Fastify's schema failures into GitHub's 422 text: "Invalid request.\n\nFor 'properties/name', 1 is not a string." */
function schemaValidationError(error: FastifyError, request: FastifyRequest): ApiError {
  const part = error.validationContext === 'body' ? 'body' : error.validationContext ?? 'request';
  const lines: string[] = [];
  const errors: FieldError[] = [];
  for (const v of error.validation ?? []) {
    const field = v.instancePath.replace(/^\//, '').replace(/\//g, '.') ||
      String((v.params as { missingProperty?: string; additionalProperty?: string }).missingProperty ??
        (v.params as { additionalProperty?: string }).additionalProperty ?? '');
    const pointer = v.instancePath ? `properties${v.instancePath}` : part;
    const offending = getPath(part === 'body' ? request.body : request.query, v.instancePath);
    if (v.keyword === 'required') {
      lines.push(`"${field}" wasn't supplied.`);
      errors.push({ resource: resourceOf(request), field, code: 'missing_field' });
    } else if (v.keyword === 'additionalProperties') {
      lines.push(`"${field}" is not a permitted key.`);
      errors.push({ resource: resourceOf(request), field, code: 'invalid' });
    } else if (v.keyword === 'maxItems') {
      // GitHub's wording for an array over its limit: "No more than 50 items are allowed; 125 were supplied."
      lines.push(`For '${pointer}', no more than ${String(v.params.limit)} items are allowed; ${(offending as unknown[]).length} were supplied.`);
      errors.push({ resource: resourceOf(request), field, code: 'invalid' });
    } else {
      lines.push(`For '${pointer}', ${quoted(offending) ?? 'value'} ${describeKeyword(v.keyword, v.params, v.message)}.`);
      errors.push({ resource: resourceOf(request), field, code: 'invalid' });
    }
  }
  return new ApiError(422, `Invalid request.\n\n${lines.join('\n')}`, { errors });
}

/**
 * A body string holding a NUL character, refused like a value of the wrong type: PostgreSQL text cannot hold one,
 * so no store could keep it (and SQLite would keep what PostgreSQL refuses).
 */
export function nulCharacter(request: FastifyRequest, path: string[]): ApiError {
  return new ApiError(422, `Invalid request.\n\nFor 'properties/${path.join('/')}', the value contains a NUL character.`, {
    errors: [{ resource: resourceOf(request), field: path.join('.'), code: 'invalid' }],
  });
}

function describeKeyword(keyword: string, params: Record<string, unknown>, message?: string): string {
  switch (keyword) {
    case 'type':
      return `is not ${/^[aeiou]/.test(String(params.type)) ? 'an' : 'a'} ${String(params.type)}`;
    case 'enum':
      return `is not a member of ${JSON.stringify(params.allowedValues)}`;
    default:
      return message ?? 'is invalid';
  }
}

/** Characters of an offending value a 422 message quotes: a 100,000-item array would make a megabyte message. */
const QUOTED_VALUE_LENGTH = 100;

function quoted(value: unknown): string | undefined {
  const text = JSON.stringify(value);
  return text !== undefined && text.length > QUOTED_VALUE_LENGTH ? `${text.slice(0, QUOTED_VALUE_LENGTH)}…` : text;
}

function getPath(root: unknown, pointer: string): unknown {
  let node = root as Record<string, unknown> | undefined;
  for (const key of pointer.split('/').filter(Boolean)) node = node?.[key] as Record<string, unknown> | undefined;
  return node;
}

function resourceOf(request: FastifyRequest): string {
  return (request.routeOptions.config as { resource?: string } | undefined)?.resource ?? 'Request';
}

/** The one error handler: every failure leaves in GitHub's shape, never as a bare 500 page. */
export function handleError(error: FastifyError | ApiError, request: FastifyRequest, reply: FastifyReply) {
  let apiError: ApiError;
  let refused: ApiError | undefined;
  if (error instanceof ApiError) {
    apiError = error;
  } else if ((error as FastifyError).validation) {
    apiError = schemaValidationError(error as FastifyError, request);
  } else if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error.code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH' || error instanceof SyntaxError) {
    apiError = new ApiError(400, 'Problems parsing JSON');
  } else if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    apiError = new ApiError(413, 'Payload too large');
  } else if (typeof (error as FastifyError).statusCode === 'number' && (error as FastifyError).statusCode! < 500) {
    apiError = new ApiError((error as FastifyError).statusCode!, error.message);
  } else if ((refused = answerForStoreRefusal(error, resourceOf(request)))) {
    apiError = refused;
  } else {
    request.log.error({ err: error }, 'unhandled error');
    apiError = new ApiError(500, 'Server Error');
  }
  // A 422 always lists its errors; a rule's own message becomes GitHub's `custom` error when none were given.
  const errors = apiError.options.errors ??
    (apiError.status === 422 ? [{ resource: resourceOf(request), code: 'custom' as const, message: apiError.message }] : undefined);
  for (const [name, value] of Object.entries(apiError.options.headers ?? {})) reply.header(name, value);
  reply
    .code(apiError.status)
    .type('application/json; charset=utf-8')
    .send(errorBody(apiError.status, apiError.message, apiError.options.documentationUrl ?? documentationUrlFor(request), errors));
}

/**
 * Fastify's `frameworkErrors`: the router refused the path before any route matched (a segment over its length limit,
 * broken percent-encoding). Such a path names nothing that exists, so the answer is GitHub's 404, in its shape.
 */
export function handleFrameworkError(_error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  reply
    .code(404)
    .header('X-GitHub-Request-Id', request.id)
    .type('application/json; charset=utf-8')
    .send(errorBody(404, 'Not Found', DOCS_ROOT));
}
