import type { EventPage, LogEvent } from '@chat/contracts';
import { describe, expect, it } from 'vitest';
import { ChatLog } from '../src/chat-log.js';
import { ApiError } from '../src/errors.js';
import type { ChatEvent, ClientStats } from '../src/types.js';

const CHAT = '0190f3c2-6a1e-7c3b-9d2f-1a2b3c4d5e6f';

const logEvent = (seq: number): LogEvent => ({ seq, type: 'message.created', createdAt: new Date(0).toISOString(), actorId: null, data: { n: seq } });
const live = (seq: number): ChatEvent => ({ op: 'event', t: 'message.created', chatId: CHAT, seq, d: { n: seq } });

/**
 * The sequencing rules on their own, against an in-memory event log with the server's paging
 * rules (a page covers every visible seq up to its last event, or up to the head).
 */
function harness(opts: { head: number; hidden?: number[]; pageLimit?: number; failures?: ApiError[] }) {
  const stats: ClientStats = { framesReceived: 0, eventsShown: 0, duplicatesDropped: 0, gapsFilled: 0, reconnects: 0, syncs: 0, sendRetries: 0 };
  const shown: number[] = [];
  const lost: string[] = [];
  const pages: number[] = [];
  const state = { head: opts.head };
  const failures = [...(opts.failures ?? [])];
  const log = new ChatLog({
    events: async (_chatId, after): Promise<EventPage> => {
      pages.push(after);
      const failure = failures.shift();
      if (failure) throw failure;
      const visible = Array.from({ length: state.head - after }, (_, i) => after + 1 + i).filter((s) => !opts.hidden?.includes(s));
      const limit = opts.pageLimit ?? 1000;
      return { data: visible.slice(0, limit).map(logEvent), lastSeq: state.head, hasMore: visible.length > limit };
    },
    show: (e) => shown.push(e.seq),
    lost: (id) => lost.push(id),
    failed: () => {},
    retryDelay: () => 1,
    stats,
  });
  return { log, stats, shown, lost, pages, state };
}

const settled = () => new Promise((r) => setTimeout(r, 20));

describe('ChatLog', () => {
  it('when events arrive in order and again, then each seq is shown once and repeats are counted', () => {
    const { log, shown, stats } = harness({ head: 3 });
    log.track(CHAT, 0);
    for (const seq of [1, 2, 2, 3, 1]) log.receive(live(seq));
    expect(shown).toEqual([1, 2, 3]);
    expect(stats.duplicatesDropped).toBe(2);
    expect(log.cursor(CHAT)).toBe(3);
  });

  it('when a live event skips seqs, then it is held until the gap is paged in, and shown after it', async () => {
    const { log, shown, stats, pages } = harness({ head: 7, pageLimit: 2 });
    log.track(CHAT, 1);
    log.receive(live(7));
    expect(shown).toEqual([]);
    await settled();
    expect(shown).toEqual([2, 3, 4, 5, 6, 7]);
    expect(pages).toEqual([1, 3, 5]);
    expect(stats.gapsFilled).toBe(1);
  });

  it('when seqs are not visible to the user, then the page head moves the cursor past them', async () => {
    const { log, shown } = harness({ head: 6, hidden: [3, 5] });
    log.track(CHAT, 2);
    log.receive(live(6));
    await settled();
    expect(shown).toEqual([4, 6]);
    expect(log.cursor(CHAT)).toBe(6);
  });

  it('when a sync is unanswered, then its replay skipping a hidden seq waits for the ack instead of paging', async () => {
    const { log, shown, pages } = harness({ head: 5, hidden: [3] });
    log.track(CHAT, 1);
    log.syncSent([CHAT]);
    for (const seq of [2, 4, 5]) log.receive(live(seq));
    await settled();
    expect(shown).toEqual([2]);
    log.syncAnswered(CHAT, { lastSeq: 5, hasMore: false });
    expect(shown).toEqual([2, 4, 5]);
    expect(pages).toEqual([]);
  });

  it('when the sync ack says hasMore, then the rest is paged in before the live events held above it', async () => {
    const { log, shown, state } = harness({ head: 10, pageLimit: 3 });
    log.track(CHAT, 0);
    log.syncSent([CHAT]);
    for (const seq of [1, 2, 3, 4]) log.receive(live(seq));
    state.head = 12;
    log.receive(live(12));
    log.syncAnswered(CHAT, { lastSeq: 4, hasMore: true });
    await settled();
    expect(shown).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  });

  it('when the sync answers forbidden, or a page answers 404, then the chat is dropped and reported', async () => {
    const first = harness({ head: 1 });
    first.log.track(CHAT, 0);
    first.log.syncSent([CHAT]);
    first.log.syncAnswered(CHAT, { error: 'forbidden' });
    expect(first.lost).toEqual([CHAT]);
    expect(first.log.has(CHAT)).toBe(false);

    const second = harness({ head: 3, failures: [new ApiError(404, 'not_found', 'gone', undefined)] });
    second.log.track(CHAT, 0);
    second.log.receive(live(3));
    await settled();
    expect(second.lost).toEqual([CHAT]);
    expect(second.shown).toEqual([]);
  });

  it('when a page fails with a retryable error, then it is tried again and the gap still fills', async () => {
    const { log, shown, pages } = harness({
      head: 3,
      failures: [new ApiError(503, 'service_unavailable', 'down', undefined), new ApiError(0, 'network_error', 'down', undefined)],
    });
    log.track(CHAT, 0);
    log.receive(live(3));
    await settled();
    expect(pages).toEqual([0, 0, 0]);
    expect(shown).toEqual([1, 2, 3]);
  });
});
