import { FairShares } from './fair-share';
import { RetryLaterException } from './retry-later.exception';

describe('FairShares', () => {
  it('refuses a job over any of its caps at once and frees the share when a job ends', async () => {
    const shares = new FairShares('password checks');
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    const claims = (address: string) => [
      { key: `address:${address}`, cap: 2, who: 'this address' },
      { key: 'account:ana', cap: 3, who: 'this account' },
    ];
    const running = [shares.run(claims('a'), () => blocked), shares.run(claims('a'), () => blocked)];
    await expect(shares.run(claims('a'), async () => 'x')).rejects.toThrow(/for this address/);
    const third = shares.run(claims('b'), () => blocked);
    const refused = shares.run(claims('c'), async () => 'x');
    await expect(refused).rejects.toBeInstanceOf(RetryLaterException);
    await expect(refused).rejects.toThrow(/for this account/);
    // Another account from a fresh address is not affected.
    await expect(shares.run([{ key: 'address:d', cap: 2, who: 'this address' }], async () => 'ok')).resolves.toBe('ok');
    release();
    await Promise.all([...running, third]);
    expect(shares.held('address:a')).toBe(0);
    expect(shares.held('account:ana')).toBe(0);
  });

  it('frees the share when a job fails, and a cap of 0 is no cap', async () => {
    const shares = new FairShares('checks');
    await expect(shares.run([{ key: 'k', cap: 1, who: 'k' }], () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(shares.held('k')).toBe(0);
    const jobs = Array.from({ length: 5 }, () => shares.run([{ key: 'k', cap: 0, who: 'k' }], async () => 1));
    await expect(Promise.all(jobs)).resolves.toEqual([1, 1, 1, 1, 1]);
  });
});
