import { type AccessClaims, type Chat, type CreateChatBody, chatEvents } from '@chat/contracts';
import { type Executor, type FieldError, NotFoundError, ValidationError, newId, recordEvent } from '@chat/service-kit';
import type { ChatDeps } from '../deps.js';
import { findChatView } from '../store/chat-views.store.js';
import { type ChatRow, addToMemberCount, findDirectChat, insertChat, insertDirectChatIfMissing } from '../store/chats.store.js';
import { insertMembers } from '../store/members.store.js';
import { chatNotFound } from './access.js';
import { checkChatAvatar } from './avatar.js';
import { checkMemberLimit } from './membership.js';
import { checkAddable, checkNotBlocked, getStandings, pathIn } from './users.js';
import { toChat, toChatInfo } from './views.js';

export interface Created {
  chat: Chat;
  /** False when an existing direct chat was returned. */
  created: boolean;
}

/** The chat as the caller now sees it, inside the transaction that changed it. */
export async function viewOf(t: Executor, caller: AccessClaims, chatId: string): Promise<Chat> {
  const view = await findChatView(t, caller.app, chatId, caller.sub);
  if (!view) throw chatNotFound();
  return toChat(view, caller.sub);
}

const DIRECT_ONLY_FIELDS = ['name', 'description', 'avatarMediaId', 'isPublic', 'membersCanAdd'] as const;

function checkDirectBody(caller: AccessClaims, body: CreateChatBody): string {
  const errors: FieldError[] = DIRECT_ONLY_FIELDS.filter((f) => body[f] !== undefined).map((path) => ({ path, message: 'a direct chat has no such field' }));
  const peerId = body.memberIds?.length === 1 ? body.memberIds[0] : undefined;
  if (!peerId) errors.push({ path: 'memberIds', message: 'a direct chat needs exactly the other member' });
  else if (peerId === caller.sub) errors.push({ path: 'memberIds.0', message: 'must be another user' });
  if (errors.length > 0) throw new ValidationError(errors);
  return peerId!;
}

/**
 * One direct chat per pair per app, whichever side asks: an existing one is returned (even when a
 * block came later; sending is refused then). A new one needs a user of the app and no block
 * either way. The unique index on the ordered pair settles concurrent creates.
 */
async function createDirectChat(deps: ChatDeps, caller: AccessClaims, body: CreateChatBody): Promise<Created> {
  const peerId = checkDirectBody(caller, body);
  const [low, high] = [caller.sub, peerId].sort() as [string, string];
  const existing = await findDirectChat(deps.platform.db, caller.app, low, high);
  if (existing) return { chat: await viewOf(deps.platform.db, caller, existing.id), created: false };
  const standings = await getStandings(deps, caller, [peerId], () => 'memberIds.0');
  checkNotBlocked(standings.get(peerId));
  return deps.platform.tx(async (t) => {
    const fields = { name: null, description: null, avatarMediaId: null, isPublic: false, membersCanAdd: false };
    const chat = await insertDirectChatIfMissing(t, {
      ...fields,
      id: newId(),
      appId: caller.app,
      type: 'direct',
      directLow: low,
      directHigh: high,
      createdBy: caller.sub,
    });
    if (!chat) {
      const raced = await findDirectChat(t, caller.app, low, high);
      if (!raced) throw new NotFoundError('chat not found');
      return { chat: await viewOf(t, caller, raced.id), created: false };
    }
    await doInsertInitialMembers(
      t,
      chat,
      [caller.sub, peerId].map((userId) => ({ userId, role: 'member' as const })),
    );
    return { chat: await viewOf(t, caller, chat.id), created: true };
  });
}

/** The members a chat starts with, announced with `chat.created` itself. */
async function doInsertInitialMembers(t: Executor, chat: ChatRow, members: { userId: string; role: 'owner' | 'member' }[]): Promise<void> {
  await insertMembers(t, chat.appId, chat.id, members, chat.createdBy);
  await addToMemberCount(t, chat.id, members.length);
  await recordEvent(t, chatEvents.chatCreated, chat.appId, { chat: toChatInfo(chat), members });
}

/** A group or channel owned by the caller, with members who each allow the caller to add them. */
async function createGroupChat(deps: ChatDeps, caller: AccessClaims, body: CreateChatBody): Promise<Chat> {
  if (body.type === 'channel' && body.membersCanAdd) throw new ValidationError([{ path: 'membersCanAdd', message: 'only groups let members add members' }]);
  const requested = body.memberIds ?? [];
  const memberIds = [...new Set(requested)].filter((id) => id !== caller.sub);
  checkMemberLimit(deps.config, body.type, 1 + memberIds.length);
  const pathOf = pathIn('memberIds', requested);
  checkAddable(await getStandings(deps, caller, memberIds, pathOf), memberIds, pathOf);
  await checkChatAvatar(deps, caller, body.avatarMediaId);
  return deps.platform.tx(async (t) => {
    const chat = await insertChat(t, {
      id: newId(),
      appId: caller.app,
      type: body.type,
      name: body.name ?? null,
      description: body.description ?? null,
      avatarMediaId: body.avatarMediaId ?? null,
      isPublic: body.isPublic ?? false,
      membersCanAdd: body.membersCanAdd ?? false,
      directLow: null,
      directHigh: null,
      createdBy: caller.sub,
    });
    await doInsertInitialMembers(t, chat, [{ userId: caller.sub, role: 'owner' }, ...memberIds.map((userId) => ({ userId, role: 'member' as const }))]);
    return viewOf(t, caller, chat.id);
  });
}

export async function createChat(deps: ChatDeps, caller: AccessClaims, body: CreateChatBody): Promise<Created> {
  if (body.type === 'direct') return createDirectChat(deps, caller, body);
  return { chat: await createGroupChat(deps, caller, body), created: true };
}
