import { chatRoutes } from '@chat/contracts';
import type { MountRoute } from '@chat/service-kit';
import type { ChatDeps } from '../deps.js';
import { banUser, unbanUser } from '../domain/bans.js';
import { moderateChat, truncateChat } from '../domain/moderation.js';

export function mountModerationRoutes(mount: MountRoute, deps: ChatDeps): void {
  mount(chatRoutes.ban, async ({ auth, params, body, setStatus }) => {
    const { ban, created } = await banUser(deps, auth, params.id, body);
    if (!created) setStatus(200);
    return ban;
  });
  mount(chatRoutes.unban, ({ auth, params }) => unbanUser(deps, auth, params.id, params.userId));
  mount(chatRoutes.moderate, ({ auth, params, body }) => moderateChat(deps, auth, params.id, body));
  mount(chatRoutes.truncate, ({ auth, params }) => truncateChat(deps, auth, params.id));
}
