import { customRoleOperations } from '../custom-roles/routes.js';
import type { Operation } from '../http/operation.js';
import { membershipOperations } from '../memberships/routes.js';
import { teamOperations } from '../teams/routes.js';
import { invitationOperations } from './routes.js';

/** Invitations and what they lead to: memberships, teams and custom roles. */
export const invitationModelOperations: Operation[] = [
  ...invitationOperations,
  ...membershipOperations,
  ...teamOperations,
  ...customRoleOperations,
];
