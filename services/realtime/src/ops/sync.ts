import { type ClientOp, type ErrorCode, type LogEvent, SYNC_REPLAY_MAX, type SyncAck, messageRpcs } from '@chat/contracts';
import { AppError, callRpc } from '@chat/service-kit';
import type { NodeContext } from '../context.js';
import type { HeldEvent, LiveSocket, SentRun } from '../primitives/live-socket.js';

type ChatResult = SyncAck['chats'][string];

/** The protocol's event frame of a log event: the same bytes the message service publishes live. */
export function logFrame(chatId: string, e: LogEvent) {
  return { op: 'event', t: e.type, chatId, seq: e.seq, actorId: e.actorId, createdAt: e.createdAt, d: e.data };
}

const inRun = (run: SentRun | undefined, seq: number) => run !== undefined && seq >= run.start && seq <= run.end;

function errorCode(err: unknown): ErrorCode {
  if (!(err instanceof AppError)) return 'internal';
  // Not a member (any more), whichever way the message service words it.
  return err.code === 'not_found' ? 'forbidden' : err.code;
}

/**
 * Replays one chat after `cursor`. Live log events of the chat are held back meanwhile; after the
 * replay those at or below the replayed seq are dropped and the rest follow in seq order, so the
 * socket sees each event once and in order. Seqs this socket was already sent live are skipped.
 */
async function replayChat(node: NodeContext, sock: LiveSocket, chatId: string, cursor: number): Promise<ChatResult> {
  const { deps, delivery } = node;
  const run = sock.runs?.get(chatId);
  const after = run && run.start <= cursor + 1 ? Math.max(cursor, run.end) : cursor;
  const held: HeldEvent[] = [];
  (sock.replaying ??= new Map()).set(chatId, held);
  let page: Awaited<ReturnType<typeof callRpc<typeof messageRpcs.eventsSince>>>;
  try {
    page = await callRpc(
      deps.bus,
      messageRpcs.eventsSince,
      { appId: sock.appId, userId: sock.userId, chatId, after, limit: SYNC_REPLAY_MAX },
      deps.config.RPC_TIMEOUT_MS,
    );
  } catch (err) {
    release(sock, chatId);
    for (const e of held) delivery.logEvent(sock, chatId, e.seq, e.frame);
    if (!(err instanceof AppError)) deps.logger.error('sync replay failed', { chatId, err: err instanceof Error ? err.stack : String(err) });
    return { error: errorCode(err) };
  }
  let last = after;
  for (const e of page.data) {
    if (!inRun(run, e.seq)) delivery.frame(sock, logFrame(chatId, e));
    last = Math.max(last, e.seq);
  }
  deps.metrics.syncs.inc();
  deps.metrics.syncReplayedEvents.inc(page.data.length);
  deps.metrics.syncHeldEvents.inc(held.length);
  release(sock, chatId);
  // With more to page through, live events past the gap would arrive out of order: the client fetches them.
  if (!page.hasMore) {
    held.sort((a, b) => a.seq - b.seq);
    for (const e of held) {
      if (e.seq <= last || inRun(run, e.seq)) continue;
      delivery.wire(sock, e.frame);
      last = e.seq;
    }
  }
  sock.runs?.delete(chatId);
  const merged = { start: cursor + 1, end: last };
  if (run && run.start <= merged.end + 1 && run.end >= merged.start - 1) {
    merged.start = Math.min(merged.start, run.start);
    merged.end = Math.max(merged.end, run.end);
  }
  (sock.runs ??= new Map()).set(chatId, merged);
  return { lastSeq: last, hasMore: page.hasMore };
}

function release(sock: LiveSocket, chatId: string): void {
  sock.replaying?.delete(chatId);
  if (sock.replaying?.size === 0) sock.replaying = undefined;
}

async function runSync(node: NodeContext, sock: LiveSocket, chats: Record<string, number>): Promise<SyncAck> {
  const queue = Object.entries(chats);
  const result: SyncAck['chats'] = {};
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) result[next[0]] = await replayChat(node, sock, next[0], next[1]);
  };
  await Promise.all(Array.from({ length: Math.min(queue.length, node.deps.config.WS_SYNC_CONCURRENCY) }, worker));
  return { chats: result };
}

/** `sync`; a socket's syncs run one after another, so one chat is never replayed twice at once. */
export function sync(node: NodeContext, sock: LiveSocket, d: ClientOp<'sync'>['d']): Promise<SyncAck> {
  const previous = sock.syncTail ?? Promise.resolve();
  const run = previous.then(() => runSync(node, sock, d.chats));
  const tail = run.then(
    () => undefined,
    () => undefined,
  );
  sock.syncTail = tail;
  void tail.then(() => {
    if (sock.syncTail === tail) sock.syncTail = undefined;
  });
  return run;
}
