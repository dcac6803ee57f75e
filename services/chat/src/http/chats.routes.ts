import { chatRoutes } from '@chat/contracts';
import type { MountRoute } from '@chat/service-kit';
import type { ChatDeps } from '../deps.js';
import { deleteChat, getChat, listChats, listPublicChats, updateChat } from '../domain/chats.js';
import { createChat } from '../domain/create-chat.js';
import { joinByCode, joinPublicChat } from '../domain/joins.js';
import { updateChatSettings } from '../domain/settings.js';

/** `/chats/public` and `/chats/join` first: they would otherwise match `/chats/:id`. */
export function mountChatRoutes(mount: MountRoute, deps: ChatDeps): void {
  mount(chatRoutes.create, async ({ auth, body, setStatus }) => {
    const { chat, created } = await createChat(deps, auth, body);
    if (!created) setStatus(200);
    return chat;
  });
  mount(chatRoutes.list, ({ auth, query }) => listChats(deps, auth, query));
  mount(chatRoutes.listPublic, ({ auth, query }) => listPublicChats(deps, auth, query));
  mount(chatRoutes.joinByCode, ({ auth, body }) => joinByCode(deps, auth, body.code));
  mount(chatRoutes.get, ({ auth, params }) => getChat(deps, auth, params.id));
  mount(chatRoutes.update, ({ auth, params, body }) => updateChat(deps, auth, params.id, body));
  mount(chatRoutes.delete, ({ auth, params }) => deleteChat(deps, auth, params.id));
  mount(chatRoutes.joinPublic, ({ auth, params }) => joinPublicChat(deps, auth, params.id));
  mount(chatRoutes.settings, ({ auth, params, body }) => updateChatSettings(deps, auth, params.id, body));
}
