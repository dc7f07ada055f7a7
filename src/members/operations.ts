import type { Operation } from '../http/operation.js';
import { blockOperations } from '../blocks/routes.js';
import { outsideCollaboratorOperations } from '../outside-collaborators/routes.js';
import { publicMemberOperations } from '../public-members/routes.js';
import { memberOperations } from './routes.js';

/** Members, public members, outside collaborators and blocks: the people of an org who are not invitations. */
export const peopleOperations: Operation[] = [
  ...memberOperations,
  ...publicMemberOperations,
  ...outsideCollaboratorOperations,
  ...blockOperations,
];
