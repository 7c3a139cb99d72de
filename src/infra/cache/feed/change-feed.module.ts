import { DynamicModule, Global, Module } from '@nestjs/common';
import { CacheInvalidator } from '../cache-invalidator';
import { ChangeFeed } from './change-feed.service';
import { FEED_INVALIDATIONS, FeedInvalidations } from './feed-invalidations';
import type { FeedSource } from './feed-source';

/** Holds one feature's declarations (see ChangeFeedModule.forFeature). */
@Module({})
class ChangeFeedDeclarations {}

/**
 * The change feed (one per app). Feature modules declare what their collections feed with
 * `ChangeFeedModule.forFeature([...])`, next to their cache policy; nobody writes a watcher.
 */
@Global()
@Module({
  providers: [
    ChangeFeed,
    {
      // The feed's only way into the cache: rewire here when the cache's invalidation moves.
      provide: FEED_INVALIDATIONS,
      inject: [CacheInvalidator],
      useFactory: (cache: CacheInvalidator): FeedInvalidations => ({
        invalidate: (namespace, ids) => cache.invalidate(namespace, ids),
        clear: async (prefix) => (await cache.clearEverywhere(prefix)).applied,
        ownWrites: (checks) => cache.appliedWrites.holds(checks),
      }),
    },
  ],
  exports: [ChangeFeed],
})
export class ChangeFeedModule {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each source is typed by its own document
  static forFeature(sources: FeedSource<any>[]): DynamicModule {
    // Named after the collections: Nest tells dynamic modules apart by their metadata.
    const token = `change-feed:${sources.map((s) => s.collection).join(',')}`;
    return {
      module: ChangeFeedDeclarations,
      providers: [
        {
          provide: token,
          inject: [ChangeFeed],
          useFactory: (feed: ChangeFeed) => {
            for (const source of sources) feed.register(source as FeedSource);
            return token;
          },
        },
      ],
    };
  }
}
