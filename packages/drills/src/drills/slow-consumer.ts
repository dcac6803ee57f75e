// 11. A consumer that reads one frame a second in a busy room: its buffer stays bounded, it is cut
// off (4008), reconnects and resyncs without loss, and the other receivers keep their latency.
import type { ChatClient } from '@chat/client/node';
import type { Drill } from '../drill.js';
import { Ledger } from '../ledger.js';
import { type Room, caughtUp, lastSeqOf, newRoom, openReceiver, restFor, sendNumbered } from '../room.js';
import type { DrillStack } from '../stack.js';
import { pool, sleep } from '../util.js';

const TEXT_PAD = 'x'.repeat(3000);

/** Sends `count` messages at `rate` per second; returns each text's scheduled send time. */
async function sendAtRate(
  stack: DrillStack,
  room: Room,
  ledger: Ledger,
  first: number,
  count: number,
  rate: number,
  scheduled: Map<string, number>,
): Promise<void> {
  const rest = restFor(stack, room.owner);
  const start = Date.now();
  await pool(count, 32, async (i) => {
    const due = start + (i * 1000) / rate;
    if (due > Date.now()) await sleep(due - Date.now());
    const n = first + i;
    scheduled.set(`owner#${n}`, due);
    // The texts are long so that the slow socket's buffers fill within the run.
    await sendNumbered(rest, ledger, room.chatId, 'owner', n, { pad: TEXT_PAD });
  });
}

function p99(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? 0;
}

/** Reads from the socket for one moment each second: about one frame a second. */
function throttle(client: ChatClient): () => void {
  const tcp = (client.socket as unknown as { _socket?: { pause(): void; resume(): void } })._socket;
  tcp?.pause();
  const timer = setInterval(() => {
    tcp?.resume();
    setImmediate(() => tcp?.pause());
  }, 1000);
  return () => clearInterval(timer);
}

export const slowConsumer: Drill = {
  id: 11,
  title: 'a consumer reading one frame a second in a busy room',
  privateInfra: false,
  inTestSuite: false,
  async run(stack, scale) {
    const seconds = scale === 'full' ? 30 : 10;
    const rate = 100;
    const room = await newRoom(stack, 12, 'busy');
    const ledger = new Ledger();
    const latencies = { baseline: [] as number[], slow: [] as number[] };
    let phase: keyof typeof latencies = 'baseline';
    const scheduled = new Map<string, number>();
    const receivers = await Promise.all(room.members.slice(1, 11).map((m, i) => openReceiver(stack, room, m, ledger, `r${i}`)));
    for (const r of receivers) {
      r.on('event', (e) => {
        const text = (e.d.message as { text?: string } | undefined)?.text?.split(' ')[0];
        const due = text ? scheduled.get(text) : undefined;
        if (due !== undefined) latencies[phase].push(Date.now() - due);
      });
    }
    await sendAtRate(stack, room, ledger, 1, seconds * rate, rate, scheduled);

    phase = 'slow';
    const slow = await openReceiver(stack, room, room.members[11]!, ledger, 'slow');
    let cutOff = 0;
    slow.on('state', (state, detail) => {
      if (state === 'closed' && detail.code === 4008) cutOff += 1;
    });
    const release = throttle(slow);
    await sendAtRate(stack, room, ledger, seconds * rate + 1, seconds * rate, rate, scheduled);
    release();
    const complete = await caughtUp([...receivers, slow], room.chatId, await lastSeqOf(stack, room), 120_000);
    [...receivers, slow].forEach((c) => c.close());
    const base = p99(latencies.baseline);
    const loaded = p99(latencies.slow);
    return {
      report: ledger.report(),
      facts: {
        messagesPerSecond: rate,
        secondsPerPhase: seconds,
        baselineP99Ms: base,
        withSlowConsumerP99Ms: loaded,
        slowConsumerCutOff: cutOff,
        slowReconnects: slow.stats.reconnects,
      },
      // The short run shares the machine with the test suite: its latencies are reported, not judged.
      checks: { caughtUp: complete, ...(scale === 'full' ? { othersUnaffected: loaded <= base * 1.1 + 5, slowConsumerCutOff: cutOff > 0 } : {}) },
    };
  },
};
