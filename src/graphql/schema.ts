import { readFileSync } from 'node:fs';
import { buildClientSchema, type GraphQLSchema, type IntrospectionQuery } from 'graphql';

/**
 * GitHub's published GraphQL schema (`@octokit/graphql-schema`), built once, on the first GraphQL request: it takes
 * about 150 ms, which no REST client should wait for at start. The introspection JSON is read directly: the
 * package's entry point also compiles a validator orghub does not use.
 */
let schema: GraphQLSchema | undefined;

export function githubSchema(): GraphQLSchema {
  if (!schema) {
    const file = new URL('./schema.json', import.meta.resolve('@octokit/graphql-schema'));
    schema = buildClientSchema(JSON.parse(readFileSync(file, 'utf8')) as IntrospectionQuery);
  }
  return schema;
}
