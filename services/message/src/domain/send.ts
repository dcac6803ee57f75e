import { type AttachmentSummary, type ChatAuthorization, type MessageType, type SendMessageBody, mediaRpcs, userRpcs } from '@chat/contracts';
import { AppError, ForbiddenError, NotFoundError, ValidationError, callRpc, newId } from '@chat/service-kit';
import type { MessageDeps } from '../deps.js';
import { membersAmong } from '../store/members.store.js';
import { type MessageRow, findByClientIds, findMessage } from '../store/messages.store.js';
import type { Caller } from './caller.js';
import { readableMessage, requireVisible } from './message-access.js';
import type { PreparedSend, SendResult } from './send-batcher.js';
import { viewMessage } from './views.js';

/** Sends a message (REST and rpc alike). A `clientMessageId` seen before returns the stored message. */
export async function sendMessage(deps: MessageDeps, caller: Caller, chatId: string, body: SendMessageBody): Promise<SendResult> {
  // Over capacity, refuse before any work; the queue checks again when the send joins it.
  deps.sends.checkAdmission();
  const auth = await deps.access.require(caller.appId, chatId, caller.userId, 'post');
  // A retry with attachments must not claim them again for a message id that will never exist;
  // every other retry is recognised inside the group commit, saving a query on the hot path.
  if (body.attachments?.length) {
    const [existing] = await findByClientIds(deps.platform.db, [{ chatId, senderId: caller.userId, clientMessageId: body.clientMessageId }]);
    if (existing) return { message: await viewMessage(deps.platform.db, existing, caller.userId), created: false };
  }
  await checkNotBlocked(deps, caller, auth);
  return deps.sends.submit(await prepareSend(deps, caller, chatId, auth, body));
}

async function checkNotBlocked(deps: MessageDeps, caller: Caller, auth: ChatAuthorization): Promise<void> {
  if (auth.chatType !== 'direct' || !auth.peerId) return;
  const { pairs } = await callRpc(
    deps.platform.bus,
    userRpcs.blockStatus,
    { appId: caller.appId, pairs: [{ a: caller.userId, b: auth.peerId }] },
    deps.config.RPC_TIMEOUT_MS,
  );
  if (pairs[0]?.blocked) throw new ForbiddenError('messages cannot be sent in this chat', 'blocked');
}

async function prepareSend(deps: MessageDeps, caller: Caller, chatId: string, auth: ChatAuthorization, body: SendMessageBody): Promise<PreparedSend> {
  const id = newId();
  const forwarded = body.forwardFromMessageId ? await forwardSource(deps, caller, body) : null;
  const [reply, quote, attachments] = await Promise.all([
    body.replyToId ? sameChatMessage(deps, caller, chatId, body.replyToId, 'replyToId') : null,
    body.quotedMessageId ? sameChatMessage(deps, caller, chatId, body.quotedMessageId, 'quotedMessageId') : null,
    body.attachments?.length
      ? claimAttachments(
          deps,
          caller,
          chatId,
          id,
          body.attachments.map((a) => a.mediaId),
        )
      : [],
    body.mentions?.length ? checkMentions(deps, caller, chatId, body.mentions) : null,
  ]);
  const content = forwarded ? forwardedContent(forwarded) : ownContent(body, attachments);
  return {
    slowModeSeconds: auth.slowModeExempt ? 0 : auth.slowModeSeconds,
    // Every field written out (no spread): one object shape for every send.
    message: {
      chatId,
      id,
      appId: caller.appId,
      senderId: caller.userId,
      clientMessageId: body.clientMessageId,
      type: content.type,
      text: content.text,
      attachments: content.attachments,
      location: content.location,
      contact: content.contact,
      poll: content.poll,
      forwardedFrom: content.forwardedFrom,
      replyToId: reply?.id ?? null,
      threadRootId: reply ? (reply.threadRootId ?? reply.id) : null,
      quotedMessageId: quote?.id ?? null,
      mentions: body.mentions ?? [],
      silent: body.silent ?? false,
      visibleTo: auth.shadowBanned ? caller.userId : null,
    },
  };
}

type Content = Pick<MessageRow, 'type' | 'text' | 'attachments' | 'location' | 'contact' | 'poll' | 'forwardedFrom'>;

const KIND_TO_TYPE: Record<AttachmentSummary['kind'], MessageType> = {
  image: 'image',
  video: 'video',
  audio: 'audio',
  voice: 'voice',
  document: 'file',
  other: 'file',
};

function ownContent(body: SendMessageBody, attachments: AttachmentSummary[]): Content {
  const type =
    body.type ?? (body.poll ? 'poll' : body.location ? 'location' : body.contact ? 'contact' : attachments[0] ? KIND_TO_TYPE[attachments[0].kind] : 'text');
  const needs: Partial<Record<MessageType, boolean>> = {
    text: body.text !== undefined && attachments.length === 0 && !body.poll && !body.location && !body.contact,
    poll: !!body.poll,
    location: !!body.location,
    contact: !!body.contact,
    image: attachments.length > 0,
    video: attachments.length > 0,
    audio: attachments.length > 0,
    voice: attachments.length > 0,
    file: attachments.length > 0,
  };
  if (!needs[type]) throw new ValidationError([{ path: 'type', message: `the content does not make a ${type} message` }]);
  return {
    type,
    text: body.text ?? null,
    attachments,
    location: body.location ?? null,
    contact: body.contact ?? null,
    poll: body.poll ? { question: body.poll.question, options: body.poll.options, multipleChoice: body.poll.multipleChoice ?? false } : null,
    forwardedFrom: null,
  };
}

function forwardedContent(source: MessageRow): Content {
  return {
    type: source.type,
    text: source.text,
    attachments: source.attachments,
    location: source.location,
    contact: source.contact,
    poll: source.poll,
    forwardedFrom: source.forwardedFrom ?? { messageId: source.id, chatId: source.chatId, senderId: source.senderId, sentAt: source.createdAt.toISOString() },
  };
}

/** The original of a forward: the sender must be able to read it now (else 404, as for any unseen message). */
async function forwardSource(deps: MessageDeps, caller: Caller, body: SendMessageBody): Promise<MessageRow> {
  const contentFields = [body.text, body.attachments?.length, body.location, body.contact, body.poll].filter((v) => v !== undefined && v !== 0);
  if (contentFields.length > 0) throw new ValidationError([{ path: 'forwardFromMessageId', message: 'a forward carries the original content only' }]);
  const { message } = await readableMessage(deps, caller, body.forwardFromMessageId!);
  if (message.deletedAt) throw new NotFoundError('message not found');
  return message;
}

async function sameChatMessage(deps: MessageDeps, caller: Caller, chatId: string, id: string, path: string): Promise<MessageRow> {
  const row = await findMessage(deps.platform.db, id);
  const visible =
    row &&
    row.chatId === chatId &&
    !row.deletedAt &&
    (await requireVisible(deps, caller, row).then(
      () => true,
      () => false,
    ));
  if (!visible) throw new ValidationError([{ path, message: 'no such message in this chat' }]);
  return row;
}

async function claimAttachments(deps: MessageDeps, caller: Caller, chatId: string, messageId: string, mediaIds: string[]): Promise<AttachmentSummary[]> {
  try {
    const { media } = await callRpc(
      deps.platform.bus,
      mediaRpcs.claim,
      { appId: caller.appId, userId: caller.userId, chatId, messageId, mediaIds },
      deps.config.RPC_TIMEOUT_MS,
    );
    return mediaIds.map((id) => media.find((m) => m.id === id)!).filter(Boolean);
  } catch (err) {
    if (err instanceof AppError && err.code === 'not_found') throw new ForbiddenError('attachments must be your own uploaded media');
    throw err;
  }
}

/** Everyone mentioned must be a member (the local member list first, the chat service for the rest). */
async function checkMentions(deps: MessageDeps, caller: Caller, chatId: string, userIds: string[]): Promise<null> {
  const known = new Set(await membersAmong(deps.platform.db, chatId, userIds));
  const rest = userIds.filter((id) => !known.has(id));
  const answers = await Promise.all(rest.map((id) => deps.access.authorize(caller.appId, chatId, id, 'read')));
  const outsider = rest.findIndex((_, i) => !answers[i]!.allowed);
  if (outsider >= 0) throw new ValidationError([{ path: `mentions.${userIds.indexOf(rest[outsider]!)}`, message: 'not a member of this chat' }]);
  return null;
}
