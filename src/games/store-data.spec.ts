import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateStore, loadSampleStore, storeDataDir } from './store-data';

describe('store data', () => {
  it('finds the sample data shipped in the repository and validates it', () => {
    expect(storeDataDir()).toMatch(/[/\\]data[/\\]store$/);
    const { games, clients } = loadSampleStore();
    expect(games).toHaveLength(8);
    expect(games[0]).toMatchObject({ item: 'Black Ops 2', price_cents: 2999 });
    expect(games[0]).not.toHaveProperty('price');
    expect(clients[0]).toMatchObject({ email: 'johndoe@hotmail.com', total_spent_cents: 11998, membership: 'gold' });
    expect(clients[0].joined_date.toISOString()).toBe('2024-01-15T00:00:00.000Z');
  });

  it('names the missing file, and the bad record and field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'store-'));
    expect(() => loadSampleStore(dir)).toThrow(/sample data not found: .*games\.json/);
    writeFileSync(
      join(dir, 'games.json'),
      JSON.stringify([{ item: 'x', publisher: 'y', year: 2000, genre: [], platforms: [], price: -1, available: 1 }]),
    );
    expect(() => loadSampleStore(dir)).toThrow(/games\.json record 0: price must be/);
  });

  it('generates the same store for the same seed, a different one for another seed', () => {
    const catalogue = loadSampleStore().games;
    const a = generateStore(5, 50, catalogue);
    const b = generateStore(5, 50, catalogue);
    const c = generateStore(6, 50, catalogue);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a.games).toHaveLength(50);
    expect(new Set(a.clients.map((x) => x.email)).size).toBe(50);
    // total_spent is the sum of the prices of the titles bought (titles with one price only).
    const prices = new Map<string, Set<number>>();
    for (const g of [...catalogue, ...a.games]) prices.set(g.item, (prices.get(g.item) ?? new Set()).add(g.price_cents));
    const unambiguous = a.clients.filter((client) => client.bought.every((title) => prices.get(title)!.size === 1));
    expect(unambiguous.length).toBeGreaterThan(40);
    for (const client of unambiguous) {
      expect(client.total_spent_cents).toBe(client.bought.reduce((sum, title) => sum + [...prices.get(title)!][0], 0));
    }
    for (const game of a.games) {
      expect(Number.isInteger(game.price_cents)).toBe(true);
      expect(game.available).toBeGreaterThanOrEqual(0);
    }
  });
});
