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

/**
 * The title of the `oneOf` branch a presenter built its body as (`public-user` or `private-user` for `GET /users/{username}`):
 * such a body is serialized with that branch's serializer. Without it fast-json-stringify picks the branch by validating
 * the body against each in turn (Ajv, formats and all), which cost more than the serializing (bench/RESULTS.md, working set).
 */
export const SCHEMA_TITLE: unique symbol = Symbol('oneOf branch title');

type Serialize = (data: unknown) => string;
type RouteSchema = Parameters<FastifySerializerCompiler<unknown>>[0];

/** The response serializers Fastify builds by default (fast-json-stringify, from Fastify's own dependency), deferred to the first response. */
export function serializersCompiledOnFirstUse(): FastifySerializerCompiler<unknown> {
  const fromFastify = createRequire(import.meta.resolve('fastify'));
  const serializerFactory: SerializerFactory = fromFastify('@fastify/fast-json-stringify-compiler');
  const compile = serializerFactory()({}, undefined);
  const compileWithBranches = (route: RouteSchema): Serialize => {
    const whole = compile(route);
    const branches = (route.schema as { oneOf?: { title?: unknown }[] } | undefined)?.oneOf;
    if (!Array.isArray(branches)) return whole;
    const byTitle = new Map<unknown, Serialize>();
    for (const branch of branches) if (typeof branch.title === 'string') byTitle.set(branch.title, compile({ ...route, schema: branch }));
    return (data) => {
      const titled = data !== null && typeof data === 'object' ? byTitle.get((data as { [SCHEMA_TITLE]?: string })[SCHEMA_TITLE]) : undefined;
      return (titled ?? whole)(data);
    };
  };
  return (route) => {
    let serialize: Serialize | undefined;
    return (data) => (serialize ??= compileWithBranches(route))(data);
  };
}
