import { EventEmitter } from 'node:events';
import type { Connection } from 'mongoose';
import { MongoHealth } from './mongo-health';

/** A connection whose ping answers only when the test says so, as under a saturated pool. */
function fakeConnection() {
  const client = new EventEmitter();
  let answerPing: (() => void) | undefined;
  const connection = {
    readyState: 1,
    db: { command: () => new Promise<void>((resolve) => (answerPing = resolve)) },
    getClient: () => client,
  };
  return { connection: connection as unknown as Connection, client, answer: () => answerPing?.() };
}

describe('MongoHealth', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('a slow ping while other operations finish is a busy MongoDB, not a down one', async () => {
    const { connection, client } = fakeConnection();
    const health = new MongoHealth(connection);
    health.onModuleInit();
    const state = health.check();
    client.emit('connectionCheckedIn', { connectionId: 1 });
    await jest.advanceTimersByTimeAsync(1000);
    await expect(state).resolves.toBe('up');
  });

  it('an operation that failed (its connection checked in, then closed for an error) is no progress', async () => {
    const { connection, client } = fakeConnection();
    const health = new MongoHealth(connection);
    health.onModuleInit();
    const state = health.check();
    // What the driver does with a connection whose operation timed out against a hung MongoDB.
    client.emit('connectionCheckedIn', { connectionId: 2 });
    client.emit('connectionClosed', { connectionId: 2, reason: 'error' });
    await jest.advanceTimersByTimeAsync(1000);
    await expect(state).resolves.toBe('down');
  });

  it('a slow ping with no operation finishing is down', async () => {
    const { connection } = fakeConnection();
    const health = new MongoHealth(connection);
    health.onModuleInit();
    const state = health.check();
    await jest.advanceTimersByTimeAsync(1000);
    await expect(state).resolves.toBe('down');
  });

  it('concurrent checks share one ping', async () => {
    const { connection, answer } = fakeConnection();
    const command = jest.spyOn(connection.db!, 'command');
    const health = new MongoHealth(connection);
    health.onModuleInit();
    const checks = [health.check(), health.check(), health.check()];
    answer();
    await expect(Promise.all(checks)).resolves.toEqual(['up', 'up', 'up']);
    expect(command).toHaveBeenCalledTimes(1);
  });
});
