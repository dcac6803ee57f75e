import { Counter, Histogram, type Registry } from 'prom-client';

export interface SearchMetrics {
  /** Seconds from an event's `occurredAt` to its change being searchable, by source. */
  indexLag: Histogram<'source'>;
  /** Seconds one search took in the database, by kind. */
  queryDuration: Histogram<'kind'>;
  /** Index transactions, by source: with the events they carried, the cost per event. */
  indexBatches: Counter<'source'>;
  indexEvents: Counter<'source'>;
  register(registry: Registry): void;
}

export function createSearchMetrics(): SearchMetrics {
  const indexLag = new Histogram({
    name: 'search_index_lag_seconds',
    help: 'Time from an event to its change being searchable',
    labelNames: ['source'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [],
  });
  const queryDuration = new Histogram({
    name: 'search_query_duration_seconds',
    help: 'Search query latency by kind',
    labelNames: ['kind'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [],
  });
  const indexBatches = new Counter({ name: 'search_index_batches_total', help: 'Index transactions', labelNames: ['source'] as const, registers: [] });
  const indexEvents = new Counter({ name: 'search_index_events_total', help: 'Events applied to the index', labelNames: ['source'] as const, registers: [] });
  return {
    indexLag,
    queryDuration,
    indexBatches,
    indexEvents,
    register(registry) {
      registry.registerMetric(indexLag);
      registry.registerMetric(queryDuration);
      registry.registerMetric(indexBatches);
      registry.registerMetric(indexEvents);
    },
  };
}

/** Runs `fn` and records its duration under `kind`. */
export async function timed<T>(metrics: SearchMetrics, kind: string, fn: () => Promise<T>): Promise<T> {
  const end = metrics.queryDuration.startTimer({ kind });
  try {
    return await fn();
  } finally {
    end();
  }
}
