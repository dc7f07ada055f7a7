import { createRequire } from 'node:module';
import type { FastifySchemaCompiler, FastifySerializerCompiler } from 'fastify';

type Validator = ReturnType<FastifySchemaCompiler<unknown>>;

/*
 * Fastify compiles every route's validators and serializers when the app becomes ready: for the whole description
 * (and every GET once more for its HEAD twin) that was most of the start-up time (bench/RESULTS.md, start). Each is
 * compiled on its route's first request instead: a few milliseconds then, the same function ever after.
 */

/** `compile`, deferred to the first validation; Fastify reads `errors` off the function after each call. */
export function validatorsCompiledOnFirstUse<Route>(compile: (route: Route) => Validator): (route: Route) => Validator {
  return (route) => {
    let validate: Validator | undefined;
    const validateOnFirstUse: Validator = (data) => {
      validate ??= compile(route);
      const result = validate(data);
      validateOnFirstUse.errors = validate.errors;
      return result;
    };
    return validateOnFirstUse;
  };
}

type SerializerFactory = () => (externalSchemas: object, options: object | undefined) => FastifySerializerCompiler<unknown>;

/** The response serializers Fastify builds by default (fast-json-stringify, from Fastify's own dependency), deferred to the first response. */
export function serializersCompiledOnFirstUse(): FastifySerializerCompiler<unknown> {
  const fromFastify = createRequire(import.meta.resolve('fastify'));
  const serializerFactory: SerializerFactory = fromFastify('@fastify/fast-json-stringify-compiler');
  const compile = serializerFactory()({}, undefined);
  return (route) => {
    let serialize: ((data: unknown) => string) | undefined;
    return (data) => (serialize ??= compile(route))(data);
  };
}
