import { type AccessClaims, type Chat, type ChatInfo, type UpdateChatBody, chatEvents } from '@chat/contracts';
import { ValidationError, recordEvent } from '@chat/service-kit';
import type { ChatDeps } from '../deps.js';
import { deleteAllBans } from '../store/bans.store.js';
import { listChatViews } from '../store/chat-views.store.js';
import { listPublicChats as selectPublicChats, markChatDeleted, updateChat as writeChat } from '../store/chats.store.js';
import { deleteInvitesOfChat } from '../store/invites.store.js';
import { deleteAllMembers } from '../store/members.store.js';
import { lockChatFor } from './access.js';
import { checkChatAvatar } from './avatar.js';
import { withHeads } from './heads.js';
import { viewOf } from './create-chat.js';
import { DEFAULT_PAGE_SIZE, encodeActivityCursor, parseActivityCursor, parseIdCursor, toPage } from './pages.js';
import { toChat, toChatInfo, toPublicChat } from './views.js';

export async function getChat(deps: ChatDeps, caller: AccessClaims, chatId: string): Promise<Chat> {
  const [chat] = await withHeads(deps, caller, [await viewOf(deps.platform.db, caller, chatId)]);
  return chat!;
}

/** The caller's chats, archived ones only with `archived`, most recent activity first. */
export async function listChats(deps: ChatDeps, caller: AccessClaims, q: { cursor?: string; limit?: number; archived?: boolean }) {
  const limit = q.limit ?? DEFAULT_PAGE_SIZE;
  const rows = await listChatViews(deps.platform.db, caller.app, caller.sub, q.archived ?? false, parseActivityCursor(q.cursor), limit + 1);
  const page = toPage(
    rows,
    limit,
    (row) => toChat(row, caller.sub),
    (row) => encodeActivityCursor({ key: row.activityKey, id: row.id }),
  );
  return { ...page, data: await withHeads(deps, caller, page.data) };
}

/** Public groups and channels of the caller's app, found by name. */
export async function listPublicChats(deps: ChatDeps, caller: AccessClaims, q: { q?: string; cursor?: string; limit?: number }) {
  const limit = q.limit ?? DEFAULT_PAGE_SIZE;
  const rows = await selectPublicChats(deps.platform.db, caller.app, caller.sub, q.q || null, parseIdCursor(q.cursor), limit + 1);
  return toPage(rows, limit, toPublicChat, (row) => row.id);
}

/** The fields of `body` whose value differs from the chat's. */
function changedFields(chat: ChatInfo, body: UpdateChatBody): (keyof UpdateChatBody)[] {
  return (Object.keys(body) as (keyof UpdateChatBody)[]).filter((key) => body[key] !== undefined && body[key] !== chat[key]);
}

/** Owner and admins change the chat's info; `chat.updated` names what changed (nothing changed: no event). */
export async function updateChat(deps: ChatDeps, caller: AccessClaims, chatId: string, body: UpdateChatBody): Promise<Chat> {
  return deps.platform.tx(async (t) => {
    const { chat } = await lockChatFor(t, caller, chatId, 'edit_info');
    if (chat.type === 'channel' && body.membersCanAdd) throw new ValidationError([{ path: 'membersCanAdd', message: 'only groups let members add members' }]);
    const changed = changedFields(toChatInfo(chat), body);
    if (changed.includes('avatarMediaId')) await checkChatAvatar(deps, caller, body.avatarMediaId);
    if (changed.length > 0) {
      const updated = await writeChat(t, chat.id, body, true);
      await recordEvent(t, chatEvents.chatUpdated, caller.app, { chat: toChatInfo(updated), changed, by: caller.sub });
    }
    return viewOf(t, caller, chat.id);
  });
}

/** The owner deletes the chat: every member, ban and invite link goes; the id never resolves again. */
export async function deleteChat(deps: ChatDeps, caller: AccessClaims, chatId: string): Promise<void> {
  await deps.platform.tx(async (t) => {
    const { chat } = await lockChatFor(t, caller, chatId, 'delete_chat');
    const memberIds = await deleteAllMembers(t, chat.id);
    await deleteAllBans(t, chat.id);
    await deleteInvitesOfChat(t, chat.id);
    await markChatDeleted(t, chat.id);
    await recordEvent(t, chatEvents.chatDeleted, caller.app, { chatId: chat.id, by: caller.sub, memberIds });
  });
}
