import { ApiError } from './errors.js';

export const SUPPORTED_API_VERSIONS = ['2022-11-28', '2026-03-10'] as const;
export type ApiVersion = (typeof SUPPORTED_API_VERSIONS)[number];
export const DEFAULT_API_VERSION: ApiVersion = '2022-11-28';

/** `X-GitHub-Api-Version`: absent means the default; an unknown value is a 400 as on GitHub. */
export function readApiVersion(header: string | string[] | undefined): ApiVersion {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value === '') return DEFAULT_API_VERSION;
  if ((SUPPORTED_API_VERSIONS as readonly string[]).includes(value)) return value as ApiVersion;
  throw new ApiError(400, `No match for version '${value}'. Supported versions: ${SUPPORTED_API_VERSIONS.join(', ')}`, {
    documentationUrl: 'https://docs.github.com/rest/about-the-rest-api/api-versions',
  });
}

const mediaTypes = new Map<string, string>();

/** `X-GitHub-Media-Type` for the `Accept` header: `github.v3; format=json`, with a `param` when one was asked for. */
export function mediaTypeFor(accept: string | undefined): string {
  // Clients send the same few Accept values over and over: parse each once (bounded, in case they vary).
  const known = accept === undefined ? undefined : mediaTypes.get(accept);
  if (known !== undefined) return known;
  const type = parseMediaType(accept);
  if (accept !== undefined && mediaTypes.size < 100) mediaTypes.set(accept, type);
  return type;
}

function parseMediaType(accept: string | undefined): string {
  const match = accept && /application\/vnd\.github(?:\.(v3|[a-z0-9-]+))?(?:\.([a-z-]+))?\+json/i.exec(accept);
  const param = match && match[1] && match[1] !== 'v3' ? match[1] : match?.[2];
  return param && param !== 'json' ? `github.v3; param=${param}; format=json` : 'github.v3; format=json';
}
