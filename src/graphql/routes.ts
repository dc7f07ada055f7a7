import { ApiError } from '../http/errors.js';
import type { Operation } from '../http/operation.js';

/** Where GitHub answers GraphQL: `/graphql` (api.github.com) and `/api/graphql` (GHES, beside `/api/v3`). */
export const GRAPHQL_PATHS = new Set(['/graphql', '/api/graphql']);

// graphql-js and GitHub's schema load on the first query, so no REST client waits for them at start.
let engine: Promise<typeof import('./engine.js')> | undefined;

function graphqlOperation(operationId: string, path: string): Operation {
  return {
    operationId,
    method: 'POST',
    path,
    docsUrl: 'https://docs.github.com/graphql',
    // No `permissions`: orghub's GraphQL checks classic scopes per field only, so installation and fine-grained tokens are refused.
    async handler(request, reply) {
      if (!request.caller) {
        throw new ApiError(401, 'This endpoint requires you to be authenticated.', {
          documentationUrl: 'https://docs.github.com/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql',
        });
      }
      const { answerQuery } = await (engine ??= import('./engine.js'));
      return answerQuery(request, reply);
    },
  };
}

/** GitHub's GraphQL endpoint: one query per POST, `{"query", "variables", "operationName"}` (src/graphql/engine.ts). */
export const graphqlOperations: Operation[] = [graphqlOperation('graphql', '/graphql'), graphqlOperation('graphql (GHES)', '/api/graphql')];
