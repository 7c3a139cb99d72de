/** The Redis Cluster the e2e suites start: 6 redis-servers on loopback (see the launcher). */
export { startRedisCluster } from '../../src/infra/embedded/redis-cluster';
export type { ClusterNode, RedisClusterHarness } from '../../src/infra/embedded/redis-cluster';
