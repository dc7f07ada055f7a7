import type { FastifyRequest } from 'fastify';
import type { Caller } from '../http/auth/index.js';

/** Small pieces the members, public members, outside collaborators and blocks modules share. */

/** The caller as the actor of an audit event. */
export const actorOf = (caller: Caller) => ({ id: caller.userId, login: caller.login });

/** The `{username}` path parameter. */
export const usernameOf = (request: FastifyRequest) => (request.params as { username: string }).username;
