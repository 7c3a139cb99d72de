/**
 * npm run bench:hotkey — does a hot key keep hitting across its expiries at full load? Two app
 * processes on one Redis and one MongoDB, each read flat out (autocannon) on one cached list with
 * a short TTL, so the run spans many TTLs. Refresh-ahead (CACHE_REFRESH_AHEAD_FRACTION, default
 * 0.1) reloads the entry in the last part of its TTL, once across instances; without it every
 * expiry is a MISS on each instance. Counts X-Cache per instance after a warm-up read on each;
 * progress every 15 s; one JSON line last.
 * Env: BENCH_DURATION (300 s), BENCH_CONNECTIONS (50, split over the two instances),
 * HOTKEY_TTL_SECONDS (5), CACHE_REFRESH_AHEAD_FRACTION (the app's default when unset),
 * MONGODB_URI / REDIS_URL (else embedded).
 */
import autocannon from 'autocannon';
import { AppProcess, startAppProcess, startBenchServers } from './lib/servers';

const ADMIN_TOKEN = 'bench-admin-token-0123456789';
const PATH = '/demo/items?limit=20';

interface Counts {
  hit: number;
  miss: number;
  other: number;
}

async function main() {
  const seconds = Number(process.env.BENCH_DURATION ?? 300);
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
  const ttl = Number(process.env.HOTKEY_TTL_SECONDS ?? 5);
  const servers = await startBenchServers();
  const env = {
    MONGODB_URI: servers.mongodbUri,
    MONGODB_DB: 'bench_hotkey',
    REDIS_URL: servers.redisUrl,
    DEMO_ROUTES: 'true',
    ADMIN_TOKEN,
    CACHE_TTL_SECONDS: String(ttl),
  };
  const apps: AppProcess[] = [];
  try {
    apps.push(await startAppProcess(env), await startAppProcess(env));
    const seeded = await fetch(`${apps[0].url}/demo/seed`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ count: 20 }),
    });
    if (!seeded.ok) throw new Error(`seeding failed: ${seeded.status} ${await seeded.text()}`);
    for (const app of apps) await fetch(`${app.url}${PATH}`); // warm-up: each instance holds the key

    const counts: Counts[] = apps.map(() => ({ hit: 0, miss: 0, other: 0 }));
    const missesAt: number[][] = apps.map(() => []);
    const started = Date.now();
    const runs = apps.map((app, index) =>
      autocannon({
        url: app.url,
        connections: Math.max(1, Math.floor(connections / apps.length)),
        duration: seconds,
        requests: [
          {
            method: 'GET',
            path: PATH,
            onResponse: (status, _body, _context, headers) => {
              const cache = status === 200 ? headers?.['x-cache'] : undefined;
              if (cache === 'HIT') counts[index].hit++;
              else if (cache === 'MISS') {
                counts[index].miss++;
                missesAt[index].push(Math.round((Date.now() - started) / 100) / 10);
              } else counts[index].other++;
            },
          },
        ],
      }),
    );
    const progress = setInterval(() => {
      const elapsed = Math.round((Date.now() - started) / 1000);
      const line = counts.map((c, i) => `instance ${i + 1}: ${c.hit} hits, ${c.miss} misses, ${c.other} other`).join('  |  ');
      console.log(`${String(elapsed).padStart(4)} s  ${line}`);
    }, 15_000);
    const results = await Promise.all(runs);
    clearInterval(progress);

    const total = (c: Counts) => c.hit + c.miss + c.other;
    const figures = {
      bench: 'hotkey',
      mongo: servers.mongoKind,
      instances: apps.length,
      connections,
      duration_s: seconds,
      ttl_s: ttl,
      ttls_spanned: Math.floor(seconds / ttl),
      refresh_ahead_fraction: Number(process.env.CACHE_REFRESH_AHEAD_FRACTION ?? 0.1),
      requests: counts.reduce((sum, c) => sum + total(c), 0),
      rps: Math.round(results.reduce((sum, r) => sum + r.requests.average, 0)),
      misses_per_instance: counts.map((c) => c.miss),
      other_per_instance: counts.map((c) => c.other),
      misses_at_s: missesAt.map((at) => at.slice(0, 20)),
    };
    console.log(
      `${figures.requests} requests over ${seconds} s (${figures.rps} rps, ${figures.ttls_spanned} TTLs of ${ttl} s): ` +
        `misses per instance ${figures.misses_per_instance.join(', ')}`,
    );
    console.log(JSON.stringify(figures));
  } finally {
    await Promise.allSettled(apps.map((app) => app.stop()));
    await servers.stop();
  }
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
