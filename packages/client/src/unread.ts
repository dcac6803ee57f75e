interface Count {
  count: number;
  /** The server's count includes every message up to this seq; later ones are counted here. */
  basis: number;
}

/**
 * Unread counts per chat: the server's figure (`GET /chats`, `GET /chats/unread`,
 * `unread.updated`) plus the messages from others shown since it was taken.
 */
export class UnreadCounts {
  private readonly counts = new Map<string, Count>();

  get(chatId: string): number {
    return this.counts.get(chatId)?.count ?? 0;
  }

  total(): number {
    let sum = 0;
    for (const c of this.counts.values()) sum += c.count;
    return sum;
  }

  all(): Record<string, number> {
    return Object.fromEntries([...this.counts].map(([id, c]) => [id, c.count]));
  }

  /** The server's count, which covers the chat up to `basis`. Returns whether it changed. */
  set(chatId: string, count: number, basis: number): boolean {
    const before = this.counts.get(chatId)?.count;
    this.counts.set(chatId, { count, basis });
    return before !== count;
  }

  /** A message shown; counted only on top of a figure from the server. Returns whether the count changed. */
  messageShown(chatId: string, seq: number, fromMe: boolean): boolean {
    const current = this.counts.get(chatId);
    if (!current || fromMe || seq <= current.basis) return false;
    this.counts.set(chatId, { count: current.count + 1, basis: seq });
    return true;
  }
}
