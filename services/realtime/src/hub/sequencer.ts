/** A chat-log frame as received: its seq, its ready-made WebSocket frame and the fields the node reads. */
export interface LogFrame<H> {
  seq: number;
  frame: Buffer;
  head: H;
}

interface ChatOrder<H> {
  next: number;
  held: Map<number, LogFrame<H>>;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Puts each chat's live log frames back in seq order before fan-out. Publishers commit in seq
 * order but may publish in another (concurrent sends, several message-service replicas), so a frame
 * after a gap waits up to `windowMs` for the missing ones; then the gap is given up on (the event
 * went to one user only, or was dropped: clients fill it with `sync`).
 */
export class ChatSequencer<H> {
  private readonly orders = new Map<string, ChatOrder<H>>();
  private readonly expire = (chatId: string) => this.giveUp(chatId);

  constructor(
    private readonly windowMs: number,
    private readonly deliver: (chatId: string, frame: LogFrame<H>) => void,
  ) {}

  push(chatId: string, frame: LogFrame<H>): void {
    const order = this.orders.get(chatId);
    if (!order) {
      this.orders.set(chatId, { next: frame.seq + 1, held: new Map(), timer: undefined });
      this.deliver(chatId, frame);
    } else if (frame.seq < order.next || this.windowMs === 0) {
      // Late (its gap was given up on) or repeated: sockets skip what they already have.
      this.deliver(chatId, frame);
      order.next = Math.max(order.next, frame.seq + 1);
    } else if (frame.seq > order.next) {
      order.held.set(frame.seq, frame);
      order.timer ??= setTimeout(this.expire, this.windowMs, chatId).unref();
    } else {
      this.deliver(chatId, frame);
      order.next += 1;
      this.drain(chatId, order);
    }
  }

  /** The chat has no local member any more. */
  forget(chatId: string): void {
    const order = this.orders.get(chatId);
    if (order?.timer) clearTimeout(order.timer);
    this.orders.delete(chatId);
  }

  get size(): number {
    return this.orders.size;
  }

  private drain(chatId: string, order: ChatOrder<H>): void {
    for (let frame = order.held.get(order.next); frame; frame = order.held.get(order.next)) {
      order.held.delete(frame.seq);
      order.next += 1;
      this.deliver(chatId, frame);
    }
    if (order.held.size === 0 && order.timer) {
      clearTimeout(order.timer);
      order.timer = undefined;
    }
  }

  private giveUp(chatId: string): void {
    const order = this.orders.get(chatId);
    if (!order) return;
    order.timer = undefined;
    if (order.held.size === 0) return;
    order.next = Math.min(...order.held.keys());
    this.drain(chatId, order);
    if (order.held.size > 0) order.timer = setTimeout(this.expire, this.windowMs, chatId).unref();
  }
}
