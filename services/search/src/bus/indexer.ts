import type { EventData, EventDef, EventEnvelope } from '@chat/contracts';
import { type EventHandler, type Executor, type FamilyHandler, on } from '@chat/service-kit';
import type { SearchDeps } from '../deps.js';

/**
 * A family handler that applies one event to the projection in a transaction and records how long
 * after the event it became searchable.
 */
export function indexing<E extends EventDef>(deps: SearchDeps, source: string, event: E, apply: (t: Executor, e: EventEnvelope<EventData<E>>) => Promise<void>): FamilyHandler {
  const handler: EventHandler<E> = async (e) => {
    await deps.platform.db.tx((t) => apply(t, e));
    const lagS = (Date.now() - Date.parse(e.occurredAt)) / 1000;
    deps.metrics.indexLag.observe({ source }, Math.max(0, lagS));
  };
  return on(event, handler);
}
