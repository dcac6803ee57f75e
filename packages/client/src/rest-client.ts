import type {
  AddMembersBody,
  AuthResult,
  Chat,
  CreateChatBody,
  EventPage,
  LoginBody,
  Member,
  Message,
  RealtimeEndpoints,
  RegisterBody,
  RouteResponse,
  SendMessageBody,
  Tokens,
  User,
  messageRoutes,
} from '@chat/contracts';
import { ApiError } from './errors.js';
import { newClientMessageId } from './ids.js';

/** The part of `fetch` the client uses: pass any compatible implementation. */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
) => Promise<{ status: number; headers: { get(name: string): string | null }; text(): Promise<string> }>;

/** What the client needs to call the API as a user; `refreshToken` makes expired access tokens renew themselves. */
export interface SessionTokens {
  accessToken: string;
  refreshToken?: string;
}

export interface RestClientOptions {
  /** The gateway's http(s) URL, e.g. `https://chat.example.com` (routes are under `/api/v1`). */
  baseUrl: string;
  tokens?: SessionTokens;
  /** Called with every new token pair (login, register, refresh): persist them here. */
  onTokens?: (tokens: Tokens) => void;
  /** Defaults to the global `fetch`. */
  fetch?: FetchLike;
  /** Sent with every request (e.g. a client version header). */
  headers?: Record<string, string>;
}

export interface Page<T> {
  data: T[];
  page: { nextCursor: string | null; hasMore: boolean };
}

export type MessageList = RouteResponse<typeof messageRoutes.history>;
export type UnreadSummary = RouteResponse<typeof messageRoutes.unread>;
/** A send body whose `clientMessageId` is generated when left out. */
export type NewMessage = Omit<SendMessageBody, 'clientMessageId'> & { clientMessageId?: string };
export type Query = Record<string, string | number | boolean | undefined>;

interface CallOptions {
  body?: unknown;
  query?: Query;
  /** Send the access token (default), renewing it once when it has expired. */
  auth?: boolean;
}

/** Typed calls to the public REST API through the gateway. */
export class RestClient {
  readonly baseUrl: string;
  private session: SessionTokens | undefined;
  private refreshing: Promise<Tokens> | undefined;
  private readonly fetchFn: FetchLike;

  constructor(private readonly options: RestClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.session = options.tokens;
    const globalFetch = (globalThis as { fetch?: FetchLike }).fetch;
    const fetchFn = options.fetch ?? globalFetch?.bind(globalThis);
    if (!fetchFn) throw new Error('no fetch available: pass options.fetch');
    this.fetchFn = fetchFn;
  }

  get tokens(): SessionTokens | undefined {
    return this.session;
  }

  setTokens(tokens: SessionTokens | undefined): void {
    this.session = tokens;
  }

  // Auth

  async register(body: RegisterBody): Promise<AuthResult> {
    return this.signedIn(await this.call<AuthResult>('POST', '/auth/register', { body, auth: false }));
  }

  async login(body: LoginBody): Promise<AuthResult> {
    return this.signedIn(await this.call<AuthResult>('POST', '/auth/login', { body, auth: false }));
  }

  /**
   * Rotates the refresh token. Concurrent callers share one request: presenting a refresh token
   * twice would make the server revoke the whole session.
   */
  refresh(): Promise<Tokens> {
    this.refreshing ??= this.rotate().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  /** Ends the session on the server (its tokens stop working) and forgets the tokens. */
  async logout(): Promise<void> {
    await this.call<void>('POST', '/auth/logout');
    this.session = undefined;
  }

  /** The realtime nodes clients may connect to directly, least busy first. */
  realtimeEndpoints(): Promise<RealtimeEndpoints> {
    return this.call('GET', '/realtime', { auth: false });
  }

  async me(): Promise<User> {
    return (await this.call<{ user: User }>('GET', '/auth/me')).user;
  }

  // Chats

  createChat(body: CreateChatBody): Promise<Chat> {
    return this.call('POST', '/chats', { body });
  }

  getChat(chatId: string): Promise<Chat> {
    return this.call('GET', `/chats/${enc(chatId)}`);
  }

  listChats(query: { cursor?: string; limit?: number; archived?: boolean } = {}): Promise<Page<Chat>> {
    return this.call('GET', '/chats', { query });
  }

  /** Every chat of the caller, following the cursor through all pages. */
  async listAllChats(query: { archived?: boolean } = {}): Promise<Chat[]> {
    const chats: Chat[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.listChats({ ...query, cursor, limit: 100 });
      chats.push(...page.data);
      cursor = page.page.hasMore ? (page.page.nextCursor ?? undefined) : undefined;
    } while (cursor);
    return chats;
  }

  listMembers(chatId: string, query: { cursor?: string; limit?: number } = {}): Promise<Page<Member>> {
    return this.call('GET', `/chats/${enc(chatId)}/members`, { query });
  }

  addMembers(chatId: string, body: AddMembersBody): Promise<{ members: Member[] }> {
    return this.call('POST', `/chats/${enc(chatId)}/members`, { body });
  }

  removeMember(chatId: string, userId: string): Promise<void> {
    return this.call('DELETE', `/chats/${enc(chatId)}/members/${enc(userId)}`);
  }

  leaveChat(chatId: string): Promise<void> {
    return this.call('POST', `/chats/${enc(chatId)}/leave`);
  }

  // Messages

  /** Sends over REST; repeating it with the same `clientMessageId` returns the original message. */
  sendMessage(chatId: string, body: NewMessage): Promise<Message> {
    return this.call('POST', `/chats/${enc(chatId)}/messages`, { body: { ...body, clientMessageId: body.clientMessageId ?? newClientMessageId() } });
  }

  /** Messages by seq: newest first, or oldest first when only `after` is given. */
  history(chatId: string, query: { before?: number; after?: number; limit?: number } = {}): Promise<MessageList> {
    return this.call('GET', `/chats/${enc(chatId)}/messages`, { query });
  }

  /** The chat's event log after `after`, in seq order (at most 1000 a page). */
  events(chatId: string, query: { after?: number; limit?: number } = {}): Promise<EventPage> {
    return this.call('GET', `/chats/${enc(chatId)}/events`, { query });
  }

  getMessage(messageId: string): Promise<Message> {
    return this.call('GET', `/messages/${enc(messageId)}`);
  }

  editMessage(messageId: string, text: string): Promise<Message> {
    return this.call('PATCH', `/messages/${enc(messageId)}`, { body: { text } });
  }

  deleteMessage(messageId: string, scope: 'me' | 'everyone' = 'me'): Promise<void> {
    return this.call('DELETE', `/messages/${enc(messageId)}`, { query: { for: scope } });
  }

  react(messageId: string, emoji: string): Promise<Message> {
    return this.call('POST', `/messages/${enc(messageId)}/reactions`, { body: { emoji } });
  }

  unreact(messageId: string, emoji: string): Promise<void> {
    return this.call('DELETE', `/messages/${enc(messageId)}/reactions/${enc(emoji)}`);
  }

  /** Marks everything up to `seq` read (the marker never moves backwards). */
  markRead(chatId: string, seq: number): Promise<void> {
    return this.call('POST', `/chats/${enc(chatId)}/read`, { body: { seq } });
  }

  markDelivered(chatId: string, seq: number): Promise<void> {
    return this.call('POST', `/chats/${enc(chatId)}/delivered`, { body: { seq } });
  }

  unread(): Promise<UnreadSummary> {
    return this.call('GET', '/chats/unread');
  }

  /**
   * Any route below `/api/v1`. With `auth` (the default) an access token that has expired is
   * renewed once through the refresh token and the request repeated.
   */
  async call<T>(method: string, path: string, opts: CallOptions = {}): Promise<T> {
    const auth = opts.auth ?? true;
    const used = auth ? this.session?.accessToken : undefined;
    try {
      return await this.send<T>(method, path, opts, used);
    } catch (err) {
      if (!(used && err instanceof ApiError && err.status === 401 && err.code === 'token_expired' && this.session?.refreshToken)) throw err;
      // Another call may have renewed the token meanwhile: then only repeat.
      if (this.session?.accessToken === used) await this.refresh();
      return this.send<T>(method, path, opts, this.session?.accessToken);
    }
  }

  private async send<T>(method: string, path: string, opts: CallOptions, token: string | undefined): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json', ...this.options.headers };
    if (token) headers.authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (opts.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
    let res: Awaited<ReturnType<FetchLike>>;
    try {
      res = await this.fetchFn(this.url(path, opts.query), { method, headers, body });
    } catch (err) {
      throw new ApiError(0, 'network_error', err instanceof Error ? err.message : String(err), undefined);
    }
    const text = await res.text();
    const parsed = parseJson(text);
    if (res.status >= 400) {
      const problem = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as { code?: string; detail?: string; title?: string };
      const retryAfter = Number(res.headers.get('retry-after'));
      throw new ApiError(
        res.status,
        problem.code ?? `http_${res.status}`,
        problem.detail ?? problem.title ?? text,
        parsed ?? text,
        retryAfter > 0 ? retryAfter : undefined,
      );
    }
    return (text === '' ? undefined : parsed) as T;
  }

  private url(path: string, query: Query | undefined): string {
    const params = Object.entries(query ?? {})
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
    return `${this.baseUrl}/api/v1${path}${params.length ? `?${params.join('&')}` : ''}`;
  }

  private async rotate(): Promise<Tokens> {
    const refreshToken = this.session?.refreshToken;
    if (!refreshToken) throw new ApiError(401, 'unauthorized', 'no refresh token', undefined);
    const { tokens } = await this.send<{ tokens: Tokens }>('POST', '/auth/refresh', { body: { refreshToken } }, undefined);
    this.adopt(tokens);
    return tokens;
  }

  private signedIn(result: AuthResult): AuthResult {
    this.adopt(result.tokens);
    return result;
  }

  private adopt(tokens: Tokens): void {
    this.session = { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken };
    this.options.onTokens?.(tokens);
  }
}

const enc = encodeURIComponent;

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
