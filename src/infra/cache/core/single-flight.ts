/**
 * Concurrent loads of one key in this process share one promise. A namespace's flights are
 * forgotten when it is invalidated, so a request arriving after a write never joins a load
 * that started before it.
 */
export class SingleFlight<T> {
  private readonly flights = new Map<string, Map<string, Promise<T>>>();

  run(namespace: string, key: string, load: () => Promise<T>): { promise: Promise<T>; joined: boolean } {
    let byKey = this.flights.get(namespace);
    if (!byKey) this.flights.set(namespace, (byKey = new Map()));
    const existing = byKey.get(key);
    if (existing) return { promise: existing, joined: true };
    const flights = byKey;
    const promise = load().finally(() => {
      if (flights.get(key) === promise) flights.delete(key);
    });
    flights.set(key, promise);
    return { promise, joined: false };
  }

  forget(namespace: string): void {
    this.flights.delete(namespace);
  }

  forgetAll(): void {
    this.flights.clear();
  }
}
