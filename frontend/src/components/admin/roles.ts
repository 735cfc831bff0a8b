import type { Role } from '@marketplace/contracts';

/** Every role, in the order the selects offer them (a role missing here fails the check below). */
export const ROLES = ['buyer', 'seller', 'admin'] as const satisfies readonly Role[];

// Fails vue-tsc when the contracts gain a role the list lacks.
const everyRole: Role extends (typeof ROLES)[number] ? true : never = true;
void everyRole;
