import { GraphQLError, type ASTNode } from 'graphql';

/** GitHub's own GraphQL error `type`s that orghub answers with, plus its two for what it does not serve. */
export type GitHubErrorType =
  | 'NOT_FOUND'
  | 'FORBIDDEN'
  | 'INSUFFICIENT_SCOPES'
  | 'MISSING_PAGINATION_BOUNDARIES'
  | 'EXCESSIVE_PAGINATION'
  | 'MAX_NODE_LIMIT_EXCEEDED'
  | 'INVALID_CURSOR_ARGUMENTS'
  | 'RATE_LIMITED'
  | 'UNSUPPORTED_FIELD'
  | 'UNSUPPORTED_ARGUMENT';

/** An error GitHub marks with a `type`; the type travels in `extensions` until the answer is written. */
export function githubError(
  type: GitHubErrorType,
  message: string,
  options: { nodes?: ASTNode; path?: readonly (string | number)[]; extensions?: Record<string, unknown> } = {},
): GraphQLError {
  return new GraphQLError(message, { nodes: options.nodes, path: options.path, extensions: { ...options.extensions, type } });
}

/** The JSON of an error as GitHub writes it: `type`, `path`, `extensions` (validation codes), `locations`, `message`. */
export function githubShape(error: GraphQLError): Record<string, unknown> {
  const { type, ...extensions } = error.extensions as { type?: string };
  return {
    ...(type && { type }),
    ...(error.path && { path: error.path }),
    ...(Object.keys(extensions).length > 0 && { extensions }),
    ...(error.locations && { locations: error.locations }),
    message: error.message,
  };
}
