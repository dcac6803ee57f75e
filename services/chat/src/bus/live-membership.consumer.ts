import { type AccessClaims, chatEvents, liveSubjects } from '@chat/contracts';
import { NotFoundError, type RunningConsumer, consumeEventFamily, on, publishLive } from '@chat/service-kit';
import type { ChatDeps } from '../deps.js';
import { viewOf } from '../domain/create-chat.js';

/**
 * Tells each member's devices, over `rt.user.<id>`, that a chat was added to or removed from
 * their list (realtime nodes adjust their subscriptions by it) and that their own settings of a
 * chat changed. Driven by the service's own committed events through a durable consumer, so a
 * committed membership change always reaches the realtime nodes, also across crashes.
 */
export function consumeMembershipForLive(deps: ChatDeps): Promise<RunningConsumer> {
  const { bus } = deps.platform;
  const added = async (appId: string, chatId: string, userId: string) => {
    // Only a system identity reads the view here; the session id is never used.
    const member: AccessClaims = { app: appId, sub: userId, sid: userId };
    try {
      const chat = await viewOf(deps.platform.db, member, chatId);
      publishLive(bus, liveSubjects.user(userId), { op: 'event', t: 'chat.added', chatId, d: { chat } });
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err; // left again before this ran: chat.removed follows
    }
  };
  const removed = (chatId: string, userId: string) => publishLive(bus, liveSubjects.user(userId), { op: 'event', t: 'chat.removed', chatId, d: { chatId } });

  return consumeEventFamily(bus, {
    durable: 'chat-live-membership',
    filter: 'chat.>',
    handlers: [
      on(chatEvents.chatCreated, async (e) => {
        for (const m of e.data.members) await added(e.appId, e.data.chat.id, m.userId);
      }),
      on(chatEvents.memberAdded, (e) => added(e.appId, e.data.chatId, e.data.userId)),
      on(chatEvents.memberRemoved, async (e) => removed(e.data.chatId, e.data.userId)),
      on(chatEvents.memberLeft, async (e) => removed(e.data.chatId, e.data.userId)),
      on(chatEvents.chatDeleted, async (e) => {
        for (const userId of e.data.memberIds) removed(e.data.chatId, userId);
      }),
      on(chatEvents.settingsChanged, async ({ data }) =>
        publishLive(bus, liveSubjects.user(data.userId), {
          op: 'event',
          t: 'chat.settings',
          chatId: data.chatId,
          d: { chatId: data.chatId, mutedUntil: data.mutedUntil, pinned: data.pinned, archived: data.archived },
        }),
      ),
    ],
  });
}
