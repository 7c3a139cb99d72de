import { OwnWriteCheck, OwnWrites } from './own-writes';

describe('OwnWrites', () => {
  it('holds id and list targets with a clusterTime; never whole namespaces, prefixes or events without a time', () => {
    const own = new OwnWrites(async (checks) => checks.map(() => true), 10);
    expect(own.offer([{ namespace: 'games', ids: ['a'] }], '1')).toBe(true);
    expect(own.offer([{ namespace: 'rankings.med' }], '1')).toBe(true);
    expect(own.offer([{ namespace: 'games', whole: true }], '1')).toBe(false);
    expect(own.offer([{ namespace: 'games', ids: ['a'] }, { prefix: 'by-name.' }], '1')).toBe(false);
    expect(own.offer([{ namespace: 'games', ids: ['a'] }], undefined)).toBe(false);
    expect(own.size).toBe(2);
  });

  it('skips an event only when every key it drops is covered, and keeps all of them when the lookup fails', async () => {
    const seen: OwnWriteCheck[] = [];
    const covered = new Set(['students/r1@7', 'rankings.med/-@7']);
    const own = new OwnWrites(async (checks) => {
      seen.push(...checks);
      return checks.map((c) => covered.has(`${c.namespace}/${c.id ?? '-'}@${c.time}`));
    }, 10);
    const both = [{ namespace: 'students', ids: ['r1'] }, { namespace: 'rankings.med' }];
    const half = [{ namespace: 'students', ids: ['r1'] }, { namespace: 'rankings.odo' }];
    own.offer(both, '7');
    own.offer(half, '7');
    expect(await own.sift()).toEqual([half]);
    expect(own.skipped).toBe(1);
    expect(seen).toContainEqual({ namespace: 'rankings.med', time: '7' });

    const failing = new OwnWrites(async () => Promise.reject(new Error('Redis gone')), 10);
    failing.offer(both, '7');
    expect(await failing.sift()).toEqual([both]);
  });

  it('holds at most max events per batch (a bulk write is batched at once)', () => {
    const own = new OwnWrites(async (checks) => checks.map(() => false), 2);
    expect([1, 2, 3].map((n) => own.offer([{ namespace: 'games', ids: [String(n)] }], String(n)))).toEqual([true, true, false]);
  });
});
