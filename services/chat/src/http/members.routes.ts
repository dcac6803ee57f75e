import { chatRoutes } from '@chat/contracts';
import type { MountRoute } from '@chat/service-kit';
import type { ChatDeps } from '../deps.js';
import { createInvite, revokeInvite } from '../domain/invites.js';
import { leaveChat } from '../domain/leave.js';
import { addMembers, changeRole, listMembers, removeMember } from '../domain/members.js';

export function mountMemberRoutes(mount: MountRoute, deps: ChatDeps): void {
  mount(chatRoutes.listMembers, ({ auth, params, query }) => listMembers(deps, auth, params.id, query));
  mount(chatRoutes.addMembers, ({ auth, params, body }) => addMembers(deps, auth, params.id, body));
  mount(chatRoutes.changeRole, ({ auth, params, body }) => changeRole(deps, auth, params.id, params.userId, body.role));
  mount(chatRoutes.removeMember, ({ auth, params }) => removeMember(deps, auth, params.id, params.userId));
  mount(chatRoutes.leave, ({ auth, params }) => leaveChat(deps, auth, params.id));
  mount(chatRoutes.createInvite, ({ auth, params, body }) => createInvite(deps, auth, params.id, body));
  mount(chatRoutes.revokeInvite, ({ auth, params }) => revokeInvite(deps, auth, params.id, params.code));
}
