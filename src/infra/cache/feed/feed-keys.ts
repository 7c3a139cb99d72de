/**
 * Redis keys of the feed, shared by every instance of one deployment (behind its key prefix, so
 * deployments on other databases sharing the Redis elect their own followers and keep their own tokens).
 */
export const feedKeys = (prefix: string) => ({
  /** Lease of follower slot 0; slot n > 0 is `<leader>:<n>`. */
  leader: `${prefix}cache-feed:leader`,
  /** Hash: collection → JSON resume token of the last applied event. */
  tokens: `${prefix}cache-feed:tokens`,
});
