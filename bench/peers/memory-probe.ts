/**
 * Preloaded (NODE_OPTIONS="--expose-gc --require …/memory-probe.js") into a server under test, so
 * the benchmark can read its memory after a full collection without any route for it: on SIGUSR2
 * it collects garbage and writes process.memoryUsage() to MEMORY_PROBE_FILE.
 */
import { writeFileSync } from 'node:fs';

const file = process.env.MEMORY_PROBE_FILE;
if (file) {
  process.on('SIGUSR2', () => {
    (globalThis as { gc?: () => void }).gc?.();
    writeFileSync(file, JSON.stringify({ at: Date.now(), ...process.memoryUsage() }));
  });
}
