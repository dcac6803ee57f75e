// Reads back what reached the durable event stream, to show the outbox published each event once.
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { streamNameFor } from '@chat/service-kit';
import { connectNats } from '@chat/testkit';
import type { DrillStack } from './stack.js';

/** Counts `evt.<type>` events in the stream whose `data` passes `match`: total and distinct event ids. */
export async function countStreamEvents(
  stack: DrillStack,
  type: string,
  match: (data: Record<string, any>) => boolean,
): Promise<{ total: number; distinct: number }> {
  const prefix = stack.env.NATS_PREFIX!;
  const nc = await connectNats(stack.env.NATS_URL);
  try {
    const stream = streamNameFor(prefix);
    // One subject filter (not `filter_subjects`): NATS 2.9 has only the single form.
    const info = await (await jetstreamManager(nc)).consumers.add(stream, {
      filter_subject: `${prefix}evt.${type}`,
      ack_policy: AckPolicy.None,
      deliver_policy: DeliverPolicy.All,
      inactive_threshold: 60 * 1e9,
    });
    const consumer = await jetstream(nc).consumers.get(stream, info.name);
    const ids = new Set<string>();
    let total = 0;
    for (;;) {
      const batch = await consumer.fetch({ max_messages: 1000, expires: 1000 });
      let got = 0;
      for await (const msg of batch) {
        got += 1;
        const envelope = msg.json<{ id: string; data: Record<string, any> }>();
        if (!match(envelope.data)) continue;
        total += 1;
        ids.add(envelope.id);
      }
      if (got === 0) break;
    }
    return { total, distinct: ids.size };
  } finally {
    await nc.close();
  }
}
