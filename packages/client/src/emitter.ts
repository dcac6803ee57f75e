type Listener = (...args: never[]) => void;

/** A tiny typed event emitter (no `node:events`, so it runs in browsers). */
export class Emitter<Events extends { [K in keyof Events]: Listener }> {
  private readonly listeners = new Map<keyof Events, Set<Listener>>();

  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof Events>(name: K, listener: Events[K]): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(listener);
    return () => this.off(name, listener);
  }

  off<K extends keyof Events>(name: K, listener: Events[K]): void {
    this.listeners.get(name)?.delete(listener);
  }

  /**
   * Calls every listener. One that throws does not stop the others nor the client's own
   * bookkeeping: its error is rethrown outside the call, where the host reports it.
   */
  emit<K extends keyof Events>(name: K, ...args: Parameters<Events[K]>): void {
    const set = this.listeners.get(name);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as (...a: Parameters<Events[K]>) => void)(...args);
      } catch (err) {
        setTimeout(() => {
          throw err;
        });
      }
    }
  }

  has<K extends keyof Events>(name: K): boolean {
    return (this.listeners.get(name)?.size ?? 0) > 0;
  }
}
