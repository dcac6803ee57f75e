import { Counter, Gauge, type Registry } from 'prom-client';

export interface PresenceMetrics {
  /** Published presence changes, by the status published. */
  transitions: Counter<'status'>;
  register(registry: Registry): void;
}

/**
 * `presence_online_users` is read from Redis, so every replica reports the same deployment-wide
 * number: aggregate it with max, not sum.
 */
export function createPresenceMetrics(countOnline: () => Promise<number>): PresenceMetrics {
  const online = new Gauge({
    name: 'presence_online_users',
    help: 'Users with at least one connected device',
    registers: [],
    async collect() {
      // Without Redis the last value stands (a scrape must not fail, nor report a false zero).
      const count = await countOnline().catch(() => undefined);
      if (count !== undefined) this.set(count);
    },
  });
  const transitions = new Counter({ name: 'presence_transitions_total', help: 'Published presence changes', labelNames: ['status'] as const, registers: [] });
  return {
    transitions,
    register(registry) {
      registry.registerMetric(online);
      registry.registerMetric(transitions);
    },
  };
}
