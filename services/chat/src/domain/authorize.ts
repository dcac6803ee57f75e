import type { ChatAction, ChatAuthorization, ChatDenial, Member } from '@chat/contracts';
import { NotFoundError } from '@chat/service-kit';
import type { ChatDeps } from '../deps.js';
import { type AuthorizationRow, findAuthorization } from '../store/authorization.store.js';
import { findChat } from '../store/chats.store.js';
import { chatIdsOfUser, listMembers } from '../store/members.store.js';
import { SLOW_MODE_EXEMPT, may } from './permissions.js';
import { peerOf, toMember } from './views.js';

/** What an outsider, another app's user or a deleted chat gets: nothing about the chat. */
const NOT_FOUND: ChatAuthorization = {
  allowed: false,
  denial: 'not_found',
  chatType: null,
  role: null,
  banned: false,
  shadowBanned: false,
  frozen: false,
  slowModeSeconds: 0,
  slowModeExempt: false,
  truncatedAt: null,
  peerId: null,
};

/** The decision from the permission table: banned first, then membership, role, and a freeze for posts. */
export function decide(row: AuthorizationRow | null, userId: string, action: ChatAction): ChatAuthorization {
  if (!row || (row.role === null && !row.banned)) return NOT_FOUND;
  let denial: ChatDenial | null = null;
  if (row.banned) denial = 'banned';
  else if (row.role === null) denial = 'not_found';
  else if (!may(row.role, action, row)) denial = 'forbidden';
  else if (row.frozen && action === 'post') denial = 'chat_frozen';
  return {
    allowed: denial === null,
    denial,
    chatType: row.type,
    role: row.role,
    banned: row.banned,
    shadowBanned: row.shadowBanned,
    frozen: row.frozen,
    slowModeSeconds: row.slowModeSeconds,
    slowModeExempt: row.role !== null && SLOW_MODE_EXEMPT.includes(row.role),
    truncatedAt: row.truncatedAt ? row.truncatedAt.toISOString() : null,
    peerId: peerOf(row, userId),
  };
}

export async function authorize(deps: ChatDeps, q: { appId: string; chatId: string; userId: string; action: ChatAction }): Promise<ChatAuthorization> {
  return decide(await findAuthorization(deps.platform.db, q.appId, q.chatId, q.userId), q.userId, q.action);
}

const RPC_PAGE = 500;

export async function getMembersPage(
  deps: ChatDeps,
  q: { appId: string; chatId: string; after?: string; limit?: number },
): Promise<{ members: Member[]; nextAfter: string | null }> {
  const { db } = deps.platform;
  if (!(await findChat(db, q.appId, q.chatId))) throw new NotFoundError('chat not found');
  const limit = q.limit ?? RPC_PAGE;
  const rows = await listMembers(db, q.chatId, q.after ?? null, limit + 1);
  const page = rows.slice(0, limit);
  return { members: page.map(toMember), nextAfter: rows.length > limit ? page[page.length - 1]!.userId : null };
}

export async function getUserChats(
  deps: ChatDeps,
  q: { appId: string; userId: string; after?: string; limit?: number },
): Promise<{ chatIds: string[]; nextAfter: string | null }> {
  const limit = q.limit ?? 5000;
  const ids = await chatIdsOfUser(deps.platform.db, q.appId, q.userId, q.after ?? null, limit + 1);
  const page = ids.slice(0, limit);
  return { chatIds: page, nextAfter: ids.length > limit ? page[page.length - 1]! : null };
}
