/**
 * The MongoDB stand-in alone, no app: how fast it serves the warm-up's read (one cursor over every
 * document of an edition, 2,000 per batch) with no change stream open, then with as many idle
 * change streams as two app instances open (~7 each), then with them closed again. Plain driver.
 *   tsc -p tsconfig.bench.json && bash tools/with-node.sh node dist-bench/bench/results-day/standin-alone.js [N] [STREAMS]
 * STANDIN_LAUNCHER=<path to a Launcher.java> compares launchers (default: tools/mongo-standin/Launcher.java).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { MongoClient, type ChangeStream } from 'mongodb';
import { standinLibDir } from '../../src/infra/embedded/mongo-standin';

const N = Number(process.argv[2] ?? 200_000);
const STREAMS = Number(process.argv[3] ?? 14);
const launcher = process.env.STANDIN_LAUNCHER ?? join(__dirname, '..', '..', '..', 'tools', 'mongo-standin', 'Launcher.java');
const COLLECTIONS = ['students', 'collections', 'documents', 'spending', 'demo_items', 'games', 'clients'];

async function main() {
  const heap = N > 300_000 ? '12g' : '3g';
  const java = spawn('java', [`-Xmx${heap}`, '-XX:+UseSerialGC', '-cp', `${standinLibDir()}/*`, launcher, '--port', '0', '--oplog'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const uri = await new Promise<string>((resolve) =>
    java.stdout.on('data', (d: Buffer) => {
      const m = /LISTENING (\S+)/.exec(d.toString());
      if (m) resolve(m[1]);
    }),
  );
  console.log(`stand-in (${launcher}) pid ${java.pid} ${uri}`);
  const client = await MongoClient.connect(uri);
  const watcher = await MongoClient.connect(uri, { monitorCommands: true });
  try {
    const col = client.db('x').collection<{ _id: string } & Record<string, unknown>>('students');
    const started = Date.now();
    for (let i = 0; i < N; i += 1000) {
      const docs = [];
      for (let k = i; k < Math.min(N, i + 1000); k++) {
        docs.push({
          _id: String(2_600_000_000 + k),
          edition: '2027-fuvest',
          name: `Fulano de Tal ${k}`,
          cpf: String(k).padStart(11, '0'),
          email: `a${k}@example.com`,
          course: 'medicina',
          campus: 'Campinas',
          scores: { languages: 600, human_sciences: 610, natural_sciences: 620, mathematics: 630, essay: 640 },
          final_score: 623.4,
          classification: k % 500,
          status: 'approved',
          birth_date: new Date(),
        });
      }
      await col.insertMany(docs);
    }
    console.log(`inserted ${N} in ${(Date.now() - started) / 1000} s`);

    const scan = async (label: string, maxBatches = Infinity) => {
      const gaps: number[] = [];
      const cursor = col.find({ edition: { $in: ['2027-fuvest', 'trial-1'] } }).batchSize(2000);
      const start = process.hrtime.bigint();
      let last = start;
      let n = 0;
      for await (const _doc of cursor) {
        n++;
        if (cursor.bufferedCount() === 0) {
          const now = process.hrtime.bigint();
          gaps.push(Number(now - last) / 1e6);
          last = now;
          if (gaps.length >= maxBatches) break;
        }
      }
      await cursor.close();
      const s = Number(process.hrtime.bigint() - start) / 1e9;
      const rest = gaps.slice(1).sort((a, b) => a - b);
      console.log(
        `${label}: ${n} docs in ${s.toFixed(2)} s = ${Math.round(n / s)} docs/s; first batch ${gaps[0].toFixed(0)} ms; ` +
          `getMore median ${rest[rest.length >> 1]?.toFixed(1)} ms, max ${rest[rest.length - 1]?.toFixed(1)} ms`,
      );
    };
    // At a million, 30 batches (60,000 documents) are enough to see the rate when it is slow.
    const limit = N > 300_000 ? 30 : Infinity;
    await scan('no change streams');
    let getMores = 0;
    watcher.on('commandStarted', (e) => {
      if (e.commandName === 'getMore') getMores++;
    });
    const streams: ChangeStream[] = [];
    for (let i = 0; i < STREAMS; i++) {
      const stream = watcher
        .db('x')
        .collection(COLLECTIONS[i % COLLECTIONS.length])
        .watch([], { fullDocument: 'updateLookup' });
      stream.on('change', () => undefined);
      stream.on('error', (e) => console.log('stream error', e.message));
      streams.push(stream);
    }
    await new Promise((r) => setTimeout(r, 5000));
    const before = getMores;
    await new Promise((r) => setTimeout(r, 10_000));
    console.log(`${STREAMS} change streams idle: ${((getMores - before) / 10).toFixed(1)} getMore/s on them`);
    await scan(`with ${STREAMS} change streams`, limit);
    for (const s of streams) await s.close();
    await new Promise((r) => setTimeout(r, 2000));
    await scan('streams closed again', limit);
  } finally {
    await watcher.close();
    await client.close();
    java.stdin.end();
    java.kill();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
