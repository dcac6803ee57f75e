import { PageQuery, Timestamp, Uuid, pageOf } from './common.js';
import { ChatType } from './chat.js';
import { MessageType } from './message.js';
import { defineRoute } from './routes.js';
import { z } from './zod.js';

/** Longest search text, in characters: longer queries are refused (400), never cut silently. */
export const SEARCH_QUERY_MAX = 256;
/** Most words and phrases one query may hold (each becomes a condition of the query plan). */
export const SEARCH_TERMS_MAX = 16;

const flag = z.enum(['true', 'false']).transform((v) => v === 'true');

/**
 * Web-search syntax: words (each found as a whole word or as part of a word: prefixes, codes,
 * paths, hyphenated terms), `"exact phrases"`, `-excluded` words and `OR`.
 */
export const SearchText = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(SEARCH_QUERY_MAX)
  .refine((s) => s.split(/\s+/).length <= SEARCH_TERMS_MAX * 2, `at most ${SEARCH_TERMS_MAX} words`);

export const SearchSort = z.enum(['relevance', 'recent']);

export const MessageSearchQuery = PageQuery.extend({
  /** Optional when filters say enough (e.g. every file in a chat); then newest first. */
  q: SearchText.optional(),
  chatId: Uuid.optional(),
  senderId: Uuid.optional(),
  /** Sent at or after this time. */
  after: Timestamp.optional(),
  /** Sent before this time. */
  before: Timestamp.optional(),
  hasAttachment: flag.optional(),
  kind: MessageType.optional(),
  mentionsMe: flag.optional(),
  /** `relevance` (default with `q`): best matches first, newer first among equals; `recent`: newest first. */
  sort: SearchSort.optional(),
});
export type MessageSearchQuery = z.infer<typeof MessageSearchQuery>;

export const NameSearchQuery = PageQuery.extend({ q: SearchText });
export type NameSearchQuery = z.infer<typeof NameSearchQuery>;

export const SearchKind = z.enum(['users', 'chats', 'messages']);
export type SearchKind = z.infer<typeof SearchKind>;
export const SearchAllQuery = PageQuery.extend({ q: SearchText, type: SearchKind.optional() });
export type SearchAllQuery = z.infer<typeof SearchAllQuery>;

export const MessageHit = z
  .object({
    id: Uuid,
    chatId: Uuid,
    seq: z.number().int(),
    senderId: Uuid,
    type: MessageType,
    text: z.string().nullable(),
    fileNames: z.array(z.string()),
    hasAttachment: z.boolean(),
    mentions: z.array(Uuid),
    createdAt: Timestamp,
    editedAt: Timestamp.nullable(),
    snippet: z.string(),
    score: z.number(),
  })
  .openapi('MessageHit')
  .describe("A message of the caller's chats that matched. `snippet`: HTML-escaped text around the matches, each match wrapped in `<mark>…</mark>`.");
export type MessageHit = z.infer<typeof MessageHit>;

export const UserHit = z
  .object({ id: Uuid, username: z.string(), displayName: z.string(), snippet: z.string() })
  .openapi('UserHit')
  .describe('A user found by username prefix or display name; `snippet` is HTML-escaped with matches in `<mark>`.');
export type UserHit = z.infer<typeof UserHit>;

export const ChatHit = z
  .object({
    id: Uuid,
    type: ChatType,
    name: z.string().nullable(),
    description: z.string().nullable(),
    isPublic: z.boolean(),
    isMember: z.boolean(),
    memberCount: z.number().int(),
    snippet: z.string(),
  })
  .openapi('ChatHit')
  .describe("A public chat of the app, or one of the caller's own, found by name or description.");
export type ChatHit = z.infer<typeof ChatHit>;

export const MessageHits = pageOf(MessageHit);
export const UserHits = pageOf(UserHit);
export const ChatHits = pageOf(ChatHit);

export const SearchResults = z
  .object({ users: UserHits.optional(), chats: ChatHits.optional(), messages: MessageHits.optional() })
  .openapi('SearchResults')
  .describe('Search results: one page per kind asked for (all three without `type`).');
export type SearchResults = z.infer<typeof SearchResults>;

const search = { service: 'search', access: 'user' } as const;

export const searchRoutes = {
  all: defineRoute({
    ...search,
    method: 'get',
    path: '/search',
    summary: 'Search users, chats and messages at once (`type` narrows to one)',
    description:
      '`?q=&type=users|chats|messages&cursor=&limit=` → `{ users?, chats?, messages? }`, each a page. Without `type`: the first 5 of each kind (`cursor` then refused with 400); with `type`: that kind only, paged.',
    query: SearchAllQuery,
    status: 200,
    response: SearchResults,
  }),
  messages: defineRoute({
    ...search,
    method: 'get',
    path: '/search/messages',
    summary: "Search messages of the caller's chats",
    description:
      '`?q=&chatId=&senderId=&after=&before=&hasAttachment=&kind=&mentionsMe=&sort=relevance|recent&cursor=&limit=` → `{ data: [hit], page }`. `q` is optional when filters say enough (then newest first); `after` is inclusive, `before` exclusive.',
    query: MessageSearchQuery,
    status: 200,
    response: MessageHits,
  }),
  users: defineRoute({
    ...search,
    method: 'get',
    path: '/search/users',
    summary: 'Search users of the app by username prefix and display name',
    description:
      '`?q=&cursor=&limit=` → `{ data: [{ id, username, displayName, snippet }], page }`. At most `RATE_LIMIT_USER_SEARCH_PER_MINUTE` (60) user searches per user a minute, counted with `GET /search` when it looks for users; beyond, 429 `rate_limited` with `Retry-After`.',
    query: NameSearchQuery,
    status: 200,
    response: UserHits,
  }),
  chats: defineRoute({
    ...search,
    method: 'get',
    path: '/search/chats',
    summary: "Search public chats of the app and the caller's own",
    description: '`?q=&cursor=&limit=` → `{ data: [{ id, type, name, description, isPublic, isMember, memberCount, snippet }], page }`',
    query: NameSearchQuery,
    status: 200,
    response: ChatHits,
  }),
};
