import type { EventData, EventDef, EventEnvelope } from '@chat/contracts';
import { type Executor, type RunningConsumer, consumeEventFamilyBatched } from '@chat/service-kit';
import type { SearchDeps } from '../deps.js';

/** How one event type changes the projection (inside the batch's transaction). */
export interface Projection {
  event: EventDef;
  apply: (t: Executor, e: EventEnvelope) => Promise<void>;
  /** Applies a run of consecutive events of this type at once (same result as one by one). */
  applyRun?: (t: Executor, events: EventEnvelope[]) => Promise<void>;
}

type Apply<E extends EventDef> = (t: Executor, e: EventEnvelope<EventData<E>>) => Promise<void>;
type ApplyRun<E extends EventDef> = (t: Executor, events: EventEnvelope<EventData<E>>[]) => Promise<void>;

export function project<E extends EventDef>(event: E, apply: Apply<E>, applyRun?: ApplyRun<E>): Projection {
  return { event, apply: apply as Projection['apply'], applyRun: applyRun as Projection['applyRun'] };
}

/** Applies events in order, each run of one type that can be applied at once in one go. */
async function applyInOrder(t: Executor, byType: Map<string, Projection>, events: EventEnvelope[]): Promise<void> {
  for (let i = 0; i < events.length; ) {
    const p = byType.get(events[i]!.type)!;
    let end = i + 1;
    while (p.applyRun && end < events.length && events[end]!.type === p.event.type) end++;
    if (p.applyRun && end - i > 1) await p.applyRun(t, events.slice(i, end));
    else await p.apply(t, events[i]!);
    i = end;
  }
}

/**
 * One durable, ordered consumer per source. Events that arrive together, or within
 * `INDEX_BATCH_INTERVAL_MS` of the last transaction, are applied in one transaction (in stream
 * order), so indexing keeps up with bursts and costs little per event at any rate; each records
 * how long after the event it became searchable.
 */
export function consumeIntoIndex(
  deps: SearchDeps,
  opts: { durable: string; filter: string; source: string; projections: Projection[] },
): Promise<RunningConsumer> {
  const byType = new Map(opts.projections.map((p) => [p.event.type, p]));
  return consumeEventFamilyBatched(deps.platform.bus, {
    durable: opts.durable,
    filter: opts.filter,
    events: opts.projections.map((p) => p.event),
    minIntervalMs: deps.config.INDEX_BATCH_INTERVAL_MS,
    handleBatch: async (events) => {
      await deps.platform.db.tx((t) => applyInOrder(t, byType, events));
      deps.metrics.indexBatches.inc({ source: opts.source });
      deps.metrics.indexEvents.inc({ source: opts.source }, events.length);
      const now = Date.now();
      for (const e of events) deps.metrics.indexLag.observe({ source: opts.source }, Math.max(0, (now - Date.parse(e.occurredAt)) / 1000));
    },
  });
}
