import { Timestamp, Uuid } from './common.js';
import { defineEvent } from './events.js';
import { AttachmentSummary } from './media.js';
import { defineRoute } from './routes.js';
import { defineRpc } from './rpc.js';
import { z } from './zod.js';

export const MESSAGE_TEXT_MAX = 4096;
export const MESSAGE_ATTACHMENTS_MAX = 10;
export const MESSAGE_MENTIONS_MAX = 100;
/** Most log events one `events` page or one `sync` replays per chat. */
export const EVENTS_PAGE_MAX = 1000;

export const MessageType = z.enum(['text', 'image', 'video', 'audio', 'voice', 'file', 'location', 'contact', 'poll', 'system']);
export type MessageType = z.infer<typeof MessageType>;

/** Every log event type of the realtime protocol; seq grows by exactly one across all of them. */
export const LogEventType = z.enum([
  'message.created',
  'message.edited',
  'message.deleted',
  'reaction.added',
  'reaction.removed',
  'message.pinned',
  'message.unpinned',
  'poll.voted',
  'member.joined',
  'member.left',
  'member.removed',
  'member.role_changed',
  'chat.updated',
  'chat.frozen',
  'chat.unfrozen',
  'chat.truncated',
]);
export type LogEventType = z.infer<typeof LogEventType>;

/** Client-chosen idempotency key: printable ASCII without spaces. */
export const ClientMessageId = z.string().regex(/^[\x21-\x7e]{1,128}$/, 'must be 1-128 printable ASCII characters without spaces');

const characters = (s: string) => [...s].length;
export const MessageText = z
  .string()
  .refine((s) => characters(s) <= MESSAGE_TEXT_MAX, `at most ${MESSAGE_TEXT_MAX} characters`)
  .refine((s) => s.trim().length > 0, 'must not be blank');

export const Location = z.strictObject({
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
  name: z.string().trim().min(1).max(256).optional(),
  address: z.string().trim().min(1).max(512).optional(),
});
export const SharedContact = z.strictObject({
  name: z.string().trim().min(1).max(256),
  phone: z.string().trim().min(1).max(32).optional(),
  email: z.string().trim().min(1).max(256).optional(),
  userId: Uuid.optional(),
});
export const NewPoll = z.strictObject({
  question: z.string().trim().min(1).max(300),
  options: z
    .array(z.string().trim().min(1).max(100))
    .min(2)
    .max(10)
    .refine((o) => new Set(o).size === o.length, 'options must differ'),
  multipleChoice: z.boolean().optional(),
});

const uniqueIds = (max: number) =>
  z
    .array(Uuid)
    .max(max)
    .refine((ids) => new Set(ids).size === ids.length, 'ids must not repeat');

/** What a client sends; at least one of text, attachments, location, contact, poll or forward. */
export const SendMessageBody = z
  .strictObject({
    clientMessageId: ClientMessageId,
    type: MessageType.exclude(['system']).optional(),
    text: MessageText.optional(),
    attachments: z
      .array(z.strictObject({ mediaId: Uuid }))
      .max(MESSAGE_ATTACHMENTS_MAX)
      .optional(),
    replyToId: Uuid.optional(),
    quotedMessageId: Uuid.optional(),
    mentions: uniqueIds(MESSAGE_MENTIONS_MAX).optional(),
    silent: z.boolean().optional(),
    forwardFromMessageId: Uuid.optional(),
    location: Location.optional(),
    contact: SharedContact.optional(),
    poll: NewPoll.optional(),
  })
  .refine((b) => b.text !== undefined || (b.attachments?.length ?? 0) > 0 || b.location || b.contact || b.poll || b.forwardFromMessageId, {
    message: 'a message needs text, attachments, a location, a contact, a poll or a forward',
    path: ['text'],
  })
  .refine((b) => [b.location, b.contact, b.poll].filter(Boolean).length <= 1, { message: 'at most one of location, contact and poll', path: ['poll'] })
  .refine((b) => new Set((b.attachments ?? []).map((a) => a.mediaId)).size === (b.attachments ?? []).length, {
    message: 'attachments must not repeat',
    path: ['attachments'],
  });
export type SendMessageBody = z.infer<typeof SendMessageBody>;

export const Reaction = z.object({ emoji: z.string(), count: z.number().int(), me: z.boolean() });
export const PollView = z.object({
  question: z.string(),
  multipleChoice: z.boolean(),
  options: z.array(z.object({ id: z.number().int(), text: z.string(), votes: z.number().int() })),
  totalVoters: z.number().int(),
  /** Option ids the reader voted for. */
  myVotes: z.array(z.number().int()),
});
export const ForwardedFrom = z.object({ messageId: Uuid, chatId: Uuid, senderId: Uuid, sentAt: Timestamp });

export const Message = z
  .object({
    id: Uuid,
    chatId: Uuid,
    seq: z.number().int(),
    senderId: Uuid,
    clientMessageId: z.string(),
    type: MessageType,
    text: z.string().nullable(),
    attachments: z.array(AttachmentSummary),
    replyToId: Uuid.nullable(),
    quotedMessageId: Uuid.nullable(),
    mentions: z.array(Uuid),
    silent: z.boolean(),
    forwardedFrom: ForwardedFrom.nullable(),
    location: Location.nullable(),
    contact: SharedContact.nullable(),
    poll: PollView.nullable(),
    reactions: z.array(Reaction),
    pinned: z.boolean(),
    replyCount: z.number().int(),
    lastReplyAt: Timestamp.nullable(),
    editedAt: Timestamp.nullable(),
    deleted: z.boolean(),
    createdAt: Timestamp,
  })
  .openapi('Message')
  .describe('A message as one reader sees it; a message deleted for everyone is a tombstone (`deleted: true`, no content).');
export type Message = z.infer<typeof Message>;

export const LogEvent = z
  .object({
    seq: z.number().int(),
    type: LogEventType,
    createdAt: Timestamp,
    actorId: Uuid.nullable(),
    data: z.record(z.string(), z.unknown()),
  })
  .openapi('LogEvent')
  .describe("One entry of a chat's event log; `data` depends on `type` (see the realtime protocol).");
export type LogEvent = z.infer<typeof LogEvent>;

const Seq = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const ChatIdParams = z.strictObject({ id: Uuid });
export const MessageIdParams = z.strictObject({ id: Uuid });
export const ReactionParams = z.strictObject({ id: Uuid, emoji: z.string().min(1).max(64) });

export const HistoryQuery = z.strictObject({
  before: Seq.optional(),
  after: Seq.optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
});
export const EventsQuery = z.strictObject({
  after: Seq.optional(),
  limit: z.coerce.number().int().min(1).max(EVENTS_PAGE_MAX).optional(),
});
export const MessageList = z.object({ data: z.array(Message), hasMore: z.boolean() });
export const EventPage = z.object({
  data: z.array(LogEvent),
  /** The highest seq of the chat: a reader whose cursor reaches it is up to date. */
  lastSeq: z.number().int(),
  hasMore: z.boolean(),
});
export type EventPage = z.infer<typeof EventPage>;

export const EditMessageBody = z.strictObject({ text: MessageText });
export const MessageEdit = z
  .object({ text: z.string().nullable(), editedAt: Timestamp })
  .openapi('MessageEdit')
  .describe('One version of an edited message (the original text first).');
export const DeleteScope = z.enum(['me', 'everyone']);
export const DeleteQuery = z.strictObject({ for: DeleteScope.optional() });
/** One emoji (grapheme cluster) or a short `:name:` code. */
export const Emoji = z
  .string()
  .min(1)
  .max(64)
  .refine((s) => !/\s/.test(s), 'must not contain spaces')
  .refine((s) => [...new Intl.Segmenter().segment(s)].length === 1 || /^:[a-z0-9_+-]{1,32}:$/.test(s), 'one emoji or a :code:');
export const ReactionBody = z.strictObject({ emoji: Emoji });
export const ReactionsView = z.object({ data: z.array(z.object({ emoji: z.string(), userIds: z.array(Uuid), count: z.number().int() })) });
export const Pin = z.object({ message: Message, pinnedBy: Uuid, pinnedAt: Timestamp });
export const SeqBody = z.strictObject({ seq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER) });
export const Receipts = z.object({
  readBy: z.array(z.object({ userId: Uuid, at: Timestamp })),
  deliveredTo: z.array(z.object({ userId: Uuid, at: Timestamp })),
});
export const ChatUnread = z.object({ chatId: Uuid, unreadCount: z.number().int(), mentionCount: z.number().int() });
export const UnreadSummary = z.object({ total: z.number().int(), chats: z.array(ChatUnread) });
export const DraftBody = z.strictObject({ text: z.string().max(MESSAGE_TEXT_MAX) });
export const Draft = z
  .object({ chatId: Uuid, text: z.string(), updatedAt: Timestamp })
  .openapi('Draft')
  .describe("The caller's unsent text of a chat, shared by their devices.");
export const VoteBody = z.strictObject({ optionIds: z.array(z.number().int().min(0).max(9)).max(10) });

const message = { service: 'message', access: 'user' } as const;

// `/chats/unread` is literal: the gateway tries it before the chat service's `/chats/:id`.
export const messageRoutes = {
  unread: defineRoute({
    ...message,
    method: 'get',
    path: '/chats/unread',
    summary: 'Unread and mention counts, total and per chat',
    description: '`{ total, chats: [{ chatId, unreadCount, mentionCount }] }` (chats with something unread).',
    status: 200,
    response: UnreadSummary,
  }),
  send: defineRoute({
    ...message,
    method: 'post',
    path: '/chats/:id/messages',
    summary: 'Send a message (the same clientMessageId again returns the original with 200)',
    description:
      "`{ clientMessageId, type?, text?, attachments?: [{ mediaId }], replyToId?, quotedMessageId?, mentions?, silent?, forwardFromMessageId?, location?, contact?, poll? }` → 201 message; the same `clientMessageId` again → 200 with the original. Text ≤ 4096 characters, ≤ 10 attachments (the sender's own ready media, else 403), mentions must be members (400), reply and quote targets must be visible messages of the chat (400), a forward carries only the original's content and its provenance (the original must be readable by the sender, else 404). 403 `chat_frozen`, `banned`, `blocked` (a direct chat with a block either way), `forbidden` (a channel member); 429 `slow_mode` with `Retry-After`; 429 `rate_limited` with `Retry-After` when the service is over capacity.",
    params: ChatIdParams,
    body: SendMessageBody,
    status: 201,
    response: Message,
    errors: [403, 404, 422, 429],
  }),
  history: defineRoute({
    ...message,
    method: 'get',
    path: '/chats/:id/messages',
    summary: 'Messages by seq, newest first (or oldest first after `after`)',
    description: '`?before=&after=&limit=` by seq, newest first (oldest first with only `after`) → `{ data, hasMore }`.',
    params: ChatIdParams,
    query: HistoryQuery,
    status: 200,
    response: MessageList,
    errors: [404],
  }),
  events: defineRoute({
    ...message,
    method: 'get',
    path: '/chats/:id/events',
    summary: "The chat's event log after a seq, in seq order",
    description:
      '`?after=&limit=` (≤ 1000) → `{ data: [{ seq, type, createdAt, actorId, data }], lastSeq, hasMore }` in seq order; what `sync` over the WebSocket pages on with.',
    params: ChatIdParams,
    query: EventsQuery,
    status: 200,
    response: EventPage,
    errors: [404],
  }),
  pins: defineRoute({
    ...message,
    method: 'get',
    path: '/chats/:id/pins',
    summary: 'Pinned messages, latest pin first',
    description: '`{ data: [{ message, pinnedBy, pinnedAt }] }`',
    params: ChatIdParams,
    status: 200,
    response: z.object({ data: z.array(Pin) }),
    errors: [404],
  }),
  read: defineRoute({
    ...message,
    method: 'post',
    path: '/chats/:id/read',
    summary: 'Mark everything up to seq read (never moves backwards)',
    description: "`{ seq }`; never moves backwards, clamped to the chat's head.",
    params: ChatIdParams,
    body: SeqBody,
    status: 204,
    errors: [404],
  }),
  delivered: defineRoute({
    ...message,
    method: 'post',
    path: '/chats/:id/delivered',
    summary: 'Mark everything up to seq delivered',
    description: "`{ seq }`; never moves backwards, clamped to the chat's head.",
    params: ChatIdParams,
    body: SeqBody,
    status: 204,
    errors: [404],
  }),
  putDraft: defineRoute({
    ...message,
    method: 'put',
    path: '/chats/:id/draft',
    summary: 'Save the draft of a chat (empty text clears it)',
    description: "`{ text }` (empty clears) → draft; the caller's other devices get `draft.updated`.",
    params: ChatIdParams,
    body: DraftBody,
    status: 200,
    response: Draft,
    errors: [404],
  }),
  drafts: defineRoute({
    ...message,
    method: 'get',
    path: '/drafts',
    summary: "The caller's drafts",
    status: 200,
    response: z.object({ data: z.array(Draft) }),
  }),
  get: defineRoute({
    ...message,
    method: 'get',
    path: '/messages/:id',
    summary: 'A message',
    params: MessageIdParams,
    status: 200,
    response: Message,
    errors: [404],
  }),
  edit: defineRoute({
    ...message,
    method: 'patch',
    path: '/messages/:id',
    summary: 'Edit the text (sender only, within the edit window)',
    description: '`{ text }` → message with `editedAt`; sender only (403), within `EDIT_WINDOW_HOURS` (422 `edit_window_passed`).',
    params: MessageIdParams,
    body: EditMessageBody,
    status: 200,
    response: Message,
    errors: [403, 404, 422],
  }),
  edits: defineRoute({
    ...message,
    method: 'get',
    path: '/messages/:id/edits',
    summary: 'Edit history, oldest first (the original text first)',
    description: '`{ data: [{ text, editedAt }] }`, the original first.',
    params: MessageIdParams,
    status: 200,
    response: z.object({ data: z.array(MessageEdit) }),
    errors: [404],
  }),
  delete: defineRoute({
    ...message,
    method: 'delete',
    path: '/messages/:id',
    summary: 'Delete for me, or for everyone (sender, or admin/moderator)',
    description: "`?for=me` (default) or `?for=everyone` (the sender, or a role allowed to delete others' messages; 403 otherwise). A tombstone keeps the seq.",
    params: MessageIdParams,
    query: DeleteQuery,
    status: 204,
    errors: [403, 404],
  }),
  react: defineRoute({
    ...message,
    method: 'post',
    path: '/messages/:id/reactions',
    summary: 'React (one of each emoji per user)',
    description: '`{ emoji }` → the message; one of each emoji per user.',
    params: MessageIdParams,
    body: ReactionBody,
    status: 200,
    response: Message,
    errors: [404],
  }),
  unreact: defineRoute({
    ...message,
    method: 'delete',
    path: '/messages/:id/reactions/:emoji',
    summary: 'Remove a reaction',
    params: ReactionParams,
    status: 204,
    errors: [404],
  }),
  reactions: defineRoute({
    ...message,
    method: 'get',
    path: '/messages/:id/reactions',
    summary: 'Who reacted with what',
    params: MessageIdParams,
    status: 200,
    response: ReactionsView,
    errors: [404],
  }),
  pin: defineRoute({
    ...message,
    method: 'post',
    path: '/messages/:id/pin',
    summary: 'Pin a message',
    params: MessageIdParams,
    status: 204,
    errors: [403, 404],
  }),
  unpin: defineRoute({
    ...message,
    method: 'delete',
    path: '/messages/:id/pin',
    summary: 'Unpin a message',
    params: MessageIdParams,
    status: 204,
    errors: [403, 404],
  }),
  replies: defineRoute({
    ...message,
    method: 'get',
    path: '/messages/:id/replies',
    summary: 'Thread replies of a root message, oldest first',
    description: '`?before=&after=&limit=` → `{ data, hasMore }`; the root carries `replyCount` and `lastReplyAt`.',
    params: MessageIdParams,
    query: HistoryQuery,
    status: 200,
    response: MessageList,
    errors: [404],
  }),
  receipts: defineRoute({
    ...message,
    method: 'get',
    path: '/messages/:id/receipts',
    summary: 'Who read and received it (readReceipts privacy respected)',
    description: "`{ readBy, deliveredTo }` from the members' markers (read-receipt privacy both ways).",
    params: MessageIdParams,
    status: 200,
    response: Receipts,
    errors: [404],
  }),
  vote: defineRoute({
    ...message,
    method: 'post',
    path: '/messages/:id/votes',
    summary: 'Vote on a poll (replaces the previous vote; [] retracts)',
    description: '`{ optionIds }` (`[]` retracts; one option for single-choice polls) → the message.',
    params: MessageIdParams,
    body: VoteBody,
    status: 200,
    response: Message,
    errors: [404, 422],
  }),
};

/** Data of `evt.message.deleted`: attachment ids let the media service release them. */
const DeletedMessage = z.object({ chatId: Uuid, messageId: Uuid, senderId: Uuid, by: Uuid, attachmentIds: z.array(Uuid) });

export const messageEvents = {
  created: defineEvent(
    'message.created',
    z.object({ message: Message, visibleTo: Uuid.nullable() }),
    "`visibleTo`: a shadow-banned sender's message is seen by that sender only.",
  ),
  edited: defineEvent('message.edited', z.object({ message: Message, visibleTo: Uuid.nullable() }), '`visibleTo` as for `message.created`.'),
  deleted: defineEvent('message.deleted', DeletedMessage, 'Deleted for everyone; `attachmentIds` let the media service release the attachments.'),
  hidden: defineEvent('message.hidden', z.object({ chatId: Uuid, messageId: Uuid, userId: Uuid }), 'Deleted for one user only.'),
  reactionAdded: defineEvent('message.reaction.added', z.object({ chatId: Uuid, messageId: Uuid, userId: Uuid, emoji: z.string() })),
  reactionRemoved: defineEvent('message.reaction.removed', z.object({ chatId: Uuid, messageId: Uuid, userId: Uuid, emoji: z.string() })),
  pinned: defineEvent('message.pinned', z.object({ chatId: Uuid, messageId: Uuid, by: Uuid })),
  unpinned: defineEvent('message.unpinned', z.object({ chatId: Uuid, messageId: Uuid, by: Uuid })),
  pollVoted: defineEvent('message.poll.voted', z.object({ chatId: Uuid, messageId: Uuid, userId: Uuid, optionIds: z.array(z.number().int()) })),
};

const Caller = { appId: Uuid, userId: Uuid };
export const MarkerKind = z.enum(['read', 'delivered']);

/** The head of a chat for one member: what the chat list shows. */
export const ChatHead = z.object({
  chatId: Uuid,
  lastSeq: z.number().int(),
  lastMessage: Message.nullable(),
  unreadCount: z.number().int(),
  mentionCount: z.number().int(),
});
export type ChatHead = z.infer<typeof ChatHead>;

/**
 * Every write over rpc runs the same domain function as its REST route, with the same rules and
 * errors; the realtime service uses these for WebSocket ops.
 */
export const messageRpcs = {
  eventsSince: defineRpc(
    'rpc.message.events-since',
    z.object({ ...Caller, chatId: Uuid, after: z.number().int().min(0), limit: z.number().int().min(1).max(EVENTS_PAGE_MAX).optional() }),
    EventPage,
    "A chat's log after a seq, for the WebSocket's `sync`; a reply stops short of the NATS payload limit and says `hasMore`.",
  ),
  send: defineRpc(
    'rpc.message.send',
    z.object({ ...Caller, chatId: Uuid, body: z.unknown() }),
    z.object({ message: Message, created: z.boolean() }),
    "The WebSocket's `message.send`: the same domain function, rules and errors as `POST /chats/:id/messages`. Also batched on `rpc.message.send.batch` (an array of sends, one reply line each).",
  ),
  edit: defineRpc(
    'rpc.message.edit',
    z.object({ ...Caller, messageId: Uuid, body: z.unknown() }),
    z.object({ message: Message }),
    "The WebSocket's `message.edit`, as `PATCH /messages/:id`.",
  ),
  delete: defineRpc(
    'rpc.message.delete',
    z.object({ ...Caller, messageId: Uuid, for: DeleteScope }),
    z.object({}),
    "The WebSocket's `message.delete`, as `DELETE /messages/:id`.",
  ),
  react: defineRpc(
    'rpc.message.react',
    z.object({ ...Caller, messageId: Uuid, emoji: z.string(), add: z.boolean() }),
    z.object({}),
    "The WebSocket's `reaction.add` and `reaction.remove`.",
  ),
  mark: defineRpc(
    'rpc.message.mark',
    z.object({ ...Caller, chatId: Uuid, kind: MarkerKind, seq: z.number().int().min(0) }),
    z.object({}),
    "The WebSocket's `read` and `delivered`, as `POST /chats/:id/read` and `/delivered`.",
  ),
  userMessages: defineRpc(
    'rpc.message.user-messages',
    z.object({ ...Caller, after: Uuid.optional(), limit: z.number().int().min(1).max(1000).optional() }),
    z.object({ messages: z.array(Message), nextAfter: Uuid.nullable() }),
    'The messages a user sent (not deleted), oldest first, paged by message id: for the data export.',
  ),
  chatHeads: defineRpc(
    'rpc.message.chat-heads',
    z.object({ ...Caller, chatIds: z.array(Uuid).max(1000) }),
    z.object({ heads: z.array(ChatHead) }),
    'Heads of the given chats for the user, for the chat list (chats the user is not in come back empty).',
  ),
};
