import type { Msg, Subscription } from '@nats-io/transport-node';
import type { Bus } from '@chat/service-kit';

interface Topic<R> {
  sub: Subscription;
  receivers: Set<R>;
}

export type TopicHandler<R> = (key: string, receivers: Set<R>, data: Uint8Array) => void;

/**
 * Core NATS subscriptions of one subject family (`rt.chat.`, `rt.user.`, `rt.presence.`), one per
 * key with at least one local receiver: subscribed with the first, dropped with the last.
 */
export class Topics<R> {
  private readonly topics = new Map<string, Topic<R>>();
  private readonly subjectPrefix: string;
  private readonly callback: (err: Error | null, msg: Msg) => void;

  constructor(
    private readonly bus: Bus,
    family: string,
    handle: TopicHandler<R>,
    private readonly onDrop: (key: string) => void = () => {},
  ) {
    this.subjectPrefix = bus.prefix + family;
    this.callback = (err, msg) => {
      if (err) {
        bus.logger.warn('live subscription failed', { family, err: err.message });
        return;
      }
      const key = msg.subject.slice(this.subjectPrefix.length);
      const topic = this.topics.get(key);
      if (topic) handle(key, topic.receivers, msg.data);
    };
  }

  get size(): number {
    return this.topics.size;
  }

  add(key: string, receiver: R): void {
    let topic = this.topics.get(key);
    if (!topic) {
      topic = { sub: this.bus.nc.subscribe(this.subjectPrefix + key, { callback: this.callback }), receivers: new Set() };
      this.topics.set(key, topic);
    }
    topic.receivers.add(receiver);
  }

  remove(key: string, receiver: R): void {
    const topic = this.topics.get(key);
    if (!topic || !topic.receivers.delete(receiver)) return;
    if (topic.receivers.size > 0) return;
    this.topics.delete(key);
    topic.sub.unsubscribe();
    this.onDrop(key);
  }

  receivers(key: string): Set<R> | undefined {
    return this.topics.get(key)?.receivers;
  }

  /** Drops every subscription (node shutdown). */
  clear(): void {
    for (const [key, topic] of this.topics) {
      topic.sub.unsubscribe();
      this.onDrop(key);
    }
    this.topics.clear();
  }
}
