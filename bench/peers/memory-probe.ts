/**
 * Preloaded (NODE_OPTIONS="--expose-gc --require …/memory-probe.js") into a server under test, so
 * the benchmark can read its memory after a full collection without any route for it: on SIGUSR2
 * it collects garbage and writes process.memoryUsage() to MEMORY_PROBE_FILE.
 */
import { writeFileSync } from 'node:fs';

const file = process.env.MEMORY_PROBE_FILE;
if (file) {
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
  process.on('SIGUSR2', () => {
    // V8 frees a dead Buffer's memory after the collection, on a task of its own: collect a few
    // times with pauses between, or Buffers just dropped still count (unevenly, per server).
    let rounds = 3;
    const collect = () => {
      gc();
      if (--rounds > 0) setTimeout(collect, 30);
      else writeFileSync(file, JSON.stringify({ at: Date.now(), ...process.memoryUsage() }));
    };
    collect();
  });
}
