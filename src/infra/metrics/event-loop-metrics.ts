import { Histogram, Registry } from 'prom-client';

/** How often the loop is sampled: a block of this length or more is seen, whenever it starts. */
const SAMPLE_EVERY_MS = 20;

/**
 * `event_loop_delay_seconds`: how late a timer due every 20 ms fires, one observation per timer.
 * Any work that holds the loop (a large body parsed, a filter walked, a synchronous hash) delays
 * every request of the process by as much, cache hits and health probes included; the histogram's
 * upper buckets count how often that happened and its sum how long it lasted in all.
 * (prom-client's default `nodejs_eventloop_lag_*` gauges give percentiles since start; a
 * histogram can be rated and alerted on per window.) Returns the function that stops sampling.
 */
export function registerEventLoopMetrics(registry: Registry): () => void {
  const delay = new Histogram({
    name: 'event_loop_delay_seconds',
    help: 'How late a timer due every 20 ms fired: time the event loop was held by other work',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  let due = performance.now() + SAMPLE_EVERY_MS;
  let timer: NodeJS.Timeout | undefined;
  const sample = () => {
    const now = performance.now();
    delay.observe(Math.max(0, now - due) / 1000);
    due = now + SAMPLE_EVERY_MS;
    timer = setTimeout(sample, SAMPLE_EVERY_MS).unref();
  };
  timer = setTimeout(sample, SAMPLE_EVERY_MS).unref();
  return () => clearTimeout(timer);
}
