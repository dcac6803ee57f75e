import { type AccessClaims, type Chat, type ModerationBody, chatEvents } from '@chat/contracts';
import { recordEvent } from '@chat/service-kit';
import type { ChatDeps } from '../deps.js';
import { truncateChat as markTruncated, updateChat } from '../store/chats.store.js';
import { lockChatFor } from './access.js';
import { viewOf } from './create-chat.js';
import { toChatInfo } from './views.js';

/**
 * Freezes or unfreezes the chat (sends refused with `chat_frozen`) and sets slow mode (one post
 * per that many seconds; owner and admins exempt). Each real change is announced.
 */
export async function moderateChat(deps: ChatDeps, caller: AccessClaims, chatId: string, body: ModerationBody): Promise<Chat> {
  return deps.platform.tx(async (t) => {
    const { chat } = await lockChatFor(t, caller, chatId, 'moderate_chat');
    const freezeChanged = body.frozen !== undefined && body.frozen !== chat.frozen;
    const slowModeChanged = body.slowModeSeconds !== undefined && body.slowModeSeconds !== chat.slowModeSeconds;
    if (!freezeChanged && !slowModeChanged) return viewOf(t, caller, chat.id);
    const updated = await updateChat(t, chat.id, { frozen: body.frozen, slowModeSeconds: body.slowModeSeconds }, false);
    const ref = { chatId: chat.id, by: caller.sub };
    if (freezeChanged) await recordEvent(t, updated.frozen ? chatEvents.chatFrozen : chatEvents.chatUnfrozen, caller.app, ref);
    if (slowModeChanged) await recordEvent(t, chatEvents.chatUpdated, caller.app, { chat: toChatInfo(updated), changed: ['slowModeSeconds'], by: caller.sub });
    return viewOf(t, caller, chat.id);
  });
}

/** Hides all history up to now for everyone: the message service stops serving events before `truncatedAt`. */
export async function truncateChat(deps: ChatDeps, caller: AccessClaims, chatId: string): Promise<Chat> {
  return deps.platform.tx(async (t) => {
    const { chat } = await lockChatFor(t, caller, chatId, 'moderate_chat');
    const updated = await markTruncated(t, chat.id);
    await recordEvent(t, chatEvents.chatTruncated, caller.app, { chatId: chat.id, truncatedAt: updated.truncatedAt!.toISOString(), by: caller.sub });
    return viewOf(t, caller, chat.id);
  });
}
