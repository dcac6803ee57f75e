import { EVENTS_PAGE_MAX, Message, chatRpcs, messageRpcs } from '@chat/contracts';
import { callRpc } from '@chat/service-kit';
import type { SearchDeps } from '../deps.js';
import { setTruncatedAt } from '../store/chats.store.js';
import { listKnownUsers, replaceChatMembers } from '../store/members.store.js';
import { deleteChatMessages, markMessageDeleted, upsertEditedMessage } from '../store/messages.store.js';
import { toIndexed } from './project-messages.js';

const PAGE = 1000;

export interface RebuildReport {
  users: number;
  chats: number;
  messages: number;
}

/**
 * Re-derives memberships, truncation points and messages from the chat and message services,
 * starting from the users the projection knows (there is no rpc listing accounts). Hidden-for-me
 * marks are kept: no rpc exposes them. Chats are indexed one at a time; a chat's messages are
 * briefly missing while it is re-read.
 */
export async function rebuildIndex(deps: SearchDeps, progress: (r: RebuildReport) => void = () => {}): Promise<RebuildReport> {
  const report: RebuildReport = { users: 0, chats: 0, messages: 0 };
  const done = new Set<string>();
  let after: string | null = null;
  for (;;) {
    const users = await listKnownUsers(deps.platform.db, after, PAGE);
    if (users.length === 0) return report;
    for (const u of users) {
      report.users += 1;
      for (const chatId of await chatsOf(deps, u.appId, u.userId)) {
        if (done.has(chatId)) continue;
        done.add(chatId);
        report.messages += await rebuildChat(deps, u.appId, chatId);
        report.chats += 1;
      }
    }
    after = users.at(-1)!.userId;
    progress(report);
  }
}

async function chatsOf(deps: SearchDeps, appId: string, userId: string): Promise<string[]> {
  const ids: string[] = [];
  let after: string | undefined;
  do {
    const page = await callRpc(deps.platform.bus, chatRpcs.userChats, { appId, userId, after, limit: 10_000 }, deps.config.RPC_TIMEOUT_MS);
    ids.push(...page.chatIds);
    after = page.nextAfter ?? undefined;
  } while (after);
  return ids;
}

/** Members, truncation and every message of one chat; returns how many messages it indexed. */
async function rebuildChat(deps: SearchDeps, appId: string, chatId: string): Promise<number> {
  const { bus, db } = deps.platform;
  const timeout = deps.config.RPC_TIMEOUT_MS;
  const members: { userId: string; role: string }[] = [];
  let after: string | undefined;
  do {
    const page = await callRpc(bus, chatRpcs.members, { appId, chatId, after, limit: 1000 }, timeout);
    members.push(...page.members);
    after = page.nextAfter ?? undefined;
  } while (after);
  const now = new Date().toISOString();
  await db.tx((t) =>
    replaceChatMembers(
      t,
      chatId,
      appId,
      members.map((m) => m.userId),
      now,
    ),
  );
  // Read the log as the owner (else an admin, else anyone): the reader sees what every member sees.
  const reader = members.find((m) => m.role === 'owner') ?? members.find((m) => m.role === 'admin') ?? members[0];
  if (!reader) return 0;
  const access = await callRpc(bus, chatRpcs.authorize, { appId, chatId, userId: reader.userId, action: 'read' }, timeout);
  if (access.truncatedAt) await setTruncatedAt(db, { chatId, appId, truncatedAt: access.truncatedAt });
  await deleteChatMessages(db, chatId, { keepHidden: true });
  let seq = 0;
  let count = 0;
  for (;;) {
    const page = await callRpc(bus, messageRpcs.eventsSince, { appId, userId: reader.userId, chatId, after: seq, limit: EVENTS_PAGE_MAX }, timeout);
    await db.tx(async (t) => {
      for (const e of page.data) {
        const message = Message.safeParse(e.data.message);
        if ((e.type === 'message.created' || e.type === 'message.edited') && message.success) {
          await upsertEditedMessage(t, toIndexed(appId, message.data, null));
          if (e.type === 'message.created') count += 1;
        } else if (e.type === 'message.deleted' && typeof e.data.messageId === 'string') {
          await markMessageDeleted(t, { chatId, id: e.data.messageId, appId, senderId: e.actorId ?? reader.userId, at: e.createdAt });
        }
      }
    });
    seq = page.data.at(-1)?.seq ?? seq;
    if (!page.hasMore) return count;
  }
}
