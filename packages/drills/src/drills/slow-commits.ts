// 4. Random delays inside the send transaction, 50 concurrent senders: no seq holes, no outbox row
// left unpublished, each event in the stream once. The delays come from triggers installed on the
// drill's own database: one before the log insert, one after the outbox insert (so transactions
// that took their outbox ids early commit late, the classic outbox trap).
import type { Drill } from '../drill.js';
import { Ledger } from '../ledger.js';
import { caughtUp, lastSeqOf, newRoom, openReceiver, restFor, sendNumbered } from '../room.js';
import { countStreamEvents } from '../stream.js';
import { pool, sleep } from '../util.js';

const INSTALL = `
CREATE OR REPLACE FUNCTION message.drill_delay() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM pg_sleep(random() * 0.03); RETURN NULL; END $$;
CREATE TRIGGER drill_delay_log BEFORE INSERT ON message.events FOR EACH STATEMENT EXECUTE FUNCTION message.drill_delay();
CREATE TRIGGER drill_delay_outbox AFTER INSERT ON message.outbox FOR EACH STATEMENT EXECUTE FUNCTION message.drill_delay();`;
const REMOVE = `
DROP TRIGGER IF EXISTS drill_delay_log ON message.events;
DROP TRIGGER IF EXISTS drill_delay_outbox ON message.outbox;`;

export const slowCommits: Drill = {
  id: 4,
  title: 'random delays inside the send transaction, 50 concurrent senders',
  privateInfra: false,
  inTestSuite: true,
  async run(stack, scale) {
    const perSender = scale === 'full' ? 100 : 8;
    const room = await newRoom(stack, 52, 'slow');
    const ledger = new Ledger();
    const receivers = await Promise.all(room.members.slice(50).map((m, i) => openReceiver(stack, room, m, ledger, `r${i}`)));
    await stack.sql().none(INSTALL);
    try {
      await Promise.all(
        room.members.slice(0, 50).map((m, k) => {
          const rest = restFor(stack, m);
          return pool(perSender, 1, (i) => sendNumbered(rest, ledger, room.chatId, `s${k}`, i + 1));
        }),
      );
    } finally {
      await stack.sql().none(REMOVE);
    }
    const complete = await caughtUp(receivers, room.chatId, await lastSeqOf(stack, room));
    receivers.forEach((r) => r.close());
    const db = stack.sql();
    const holes = await db.one(
      `SELECT count(*)::int AS n FROM (SELECT seq - lag(seq) OVER (ORDER BY seq) AS step FROM message.events WHERE chat_id = $1) s WHERE step <> 1`,
      [room.chatId],
    );
    let outboxLeft = -1;
    for (let i = 0; i < 100 && outboxLeft !== 0; i++) {
      outboxLeft = (await db.one('SELECT count(*)::int AS n FROM message.outbox')).n;
      if (outboxLeft) await sleep(100);
    }
    const published = await countStreamEvents(stack, 'message.created', (d) => d.message?.chatId === room.chatId);
    const sent = 50 * perSender;
    return {
      report: ledger.report(),
      facts: {
        senders: 50,
        messages: sent,
        seqHoles: holes.n,
        outboxRowsLeft: outboxLeft,
        eventsInStream: published.total,
        distinctEventsInStream: published.distinct,
      },
      checks: {
        noSeqHoles: holes.n === 0,
        outboxDrained: outboxLeft === 0,
        publishedOnceEach: published.total === sent && published.distinct === sent,
        caughtUp: complete,
      },
    };
  },
};
