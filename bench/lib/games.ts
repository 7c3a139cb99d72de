import type { Collection, ObjectId } from 'mongodb';

/**
 * Replaces the collection's documents with `count` plain games written through the driver (no
 * API, no cache), as the feed and fault benches need; returns their ids as hex strings.
 */
export async function insertBenchGames(games: Collection, count: number, available: number): Promise<string[]> {
  await games.deleteMany({});
  const inserted = await games.insertMany(
    Array.from({ length: count }, (_, i) => ({
      item: `Game ${i}`,
      publisher: 'Bench',
      year: 2020,
      genre: ['Bench'],
      platforms: ['PC'],
      price_cents: 1000 + i,
      available,
    })),
  );
  return Object.values(inserted.insertedIds).map((id) => (id as ObjectId).toHexString());
}
