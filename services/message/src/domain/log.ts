import type { LogEvent, LogEventType } from '@chat/contracts';
import type { Executor } from '@chat/service-kit';
import { type ChatHead, type NewLogEvent, insertEvents, setLastSeqs } from '../store/log.store.js';
import type { LiveOutbox } from './live.js';

export interface LogEntry {
  type: LogEventType;
  actorId: string | null;
  messageId?: string | null;
  visibleTo?: string | null;
  sourceId?: string | null;
  data: Record<string, unknown>;
  createdAt?: Date;
}

/**
 * Appends entries to the chat's log after `head.lastSeq`; call with the head locked (`lockHead`).
 * Queues each entry's live frame; returns the stored events.
 */
export async function appendToLog(t: Executor, head: ChatHead, entries: LogEntry[], live: LiveOutbox): Promise<LogEvent[]> {
  const now = new Date();
  const rows: NewLogEvent[] = entries.map((e, i) => ({
    chatId: head.chatId,
    seq: head.lastSeq + i + 1,
    type: e.type,
    actorId: e.actorId,
    messageId: e.messageId ?? null,
    visibleTo: e.visibleTo ?? null,
    sourceId: e.sourceId ?? null,
    data: e.data,
    createdAt: e.createdAt ?? now,
  }));
  await insertEvents(t, rows);
  head.lastSeq += rows.length;
  await setLastSeqs(t, [head]);
  return rows.map((r) => {
    const event: LogEvent = { seq: r.seq, type: r.type, createdAt: r.createdAt.toISOString(), actorId: r.actorId, data: r.data };
    live.logEvent(head.chatId, event, r.visibleTo);
    return event;
  });
}
