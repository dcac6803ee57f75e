import { type AccessClaims, type ChatSettings, type UpdateChatSettingsBody, chatEvents } from '@chat/contracts';
import { recordEvent } from '@chat/service-kit';
import type { ChatDeps } from '../deps.js';
import { updateMemberSettings } from '../store/members.store.js';
import { chatNotFound } from './access.js';
import { toChatSettings } from './views.js';

/**
 * The caller's own mute, pin and archive of a chat (absent fields kept; an empty body reads them).
 * `chat.settings.changed` reaches the caller's other devices.
 */
export async function updateChatSettings(deps: ChatDeps, caller: AccessClaims, chatId: string, body: UpdateChatSettingsBody): Promise<ChatSettings> {
  return deps.platform.tx(async (t) => {
    const mutedUntil = body.mutedUntil === undefined ? undefined : body.mutedUntil === null ? null : new Date(body.mutedUntil);
    const row = await updateMemberSettings(t, caller.app, chatId, caller.sub, { mutedUntil, pinned: body.pinned, archived: body.archived });
    if (!row) throw chatNotFound();
    const settings = toChatSettings(row);
    if (Object.keys(body).length === 0) return settings;
    await recordEvent(t, chatEvents.settingsChanged, caller.app, {
      chatId,
      userId: caller.sub,
      mutedUntil: settings.mutedUntil,
      pinned: settings.pinned,
      archived: settings.archived,
    });
    return settings;
  });
}
