import { SingleFlight } from './single-flight';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('SingleFlight', () => {
  it('concurrent loads of one key share one call; other keys and namespaces load on their own', async () => {
    const flights = new SingleFlight<string>();
    const load = deferred<string>();
    const loader = jest.fn(() => load.promise);
    const first = flights.run('games', 'games:id:1', loader);
    const second = flights.run('games', 'games:id:1', loader);
    const otherKey = flights.run('games', 'games:id:2', () => Promise.resolve('two'));
    const otherNamespace = flights.run('clients', 'games:id:1', () => Promise.resolve('client'));
    expect(loader).toHaveBeenCalledTimes(1);
    expect([first.joined, second.joined, otherKey.joined, otherNamespace.joined]).toEqual([false, true, false, false]);
    load.resolve('one');
    await expect(Promise.all([first.promise, second.promise, otherKey.promise, otherNamespace.promise])).resolves.toEqual([
      'one',
      'one',
      'two',
      'client',
    ]);
  });

  it('a finished or failed flight is not joined again', async () => {
    const flights = new SingleFlight<string>();
    await flights.run('ns', 'k', () => Promise.resolve('a')).promise;
    expect(flights.run('ns', 'k', () => Promise.resolve('b')).joined).toBe(false);
    await expect(flights.run('ns', 'bad', () => Promise.reject(new Error('down'))).promise).rejects.toThrow('down');
    const retry = flights.run('ns', 'bad', () => Promise.resolve('up'));
    expect(retry.joined).toBe(false);
    await expect(retry.promise).resolves.toBe('up');
  });

  it('after forget(namespace) a new request starts a new load instead of joining one begun before the write', async () => {
    const flights = new SingleFlight<string>();
    const beforeWrite = deferred<string>();
    const old = flights.run('games', 'games:list', () => beforeWrite.promise);
    flights.forget('games');
    const fresh = flights.run('games', 'games:list', () => Promise.resolve('new'));
    expect(fresh.joined).toBe(false);
    // The old flight settling later must not remove the new one.
    beforeWrite.resolve('old');
    await expect(old.promise).resolves.toBe('old');
    await expect(fresh.promise).resolves.toBe('new');
    flights.forgetAll();
    expect(flights.run('games', 'games:list', () => Promise.resolve('again')).joined).toBe(false);
  });
});
