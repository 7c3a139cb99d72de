import { SingleBar, Presets } from 'cli-progress';

export interface Progress {
  /** Adds `n` finished units. */
  tick(n?: number): void;
  /** Ends the bar and prints "<label>: N units in S s (R units/s)". Returns the summary. */
  done(): ProgressSummary;
}

export interface ProgressSummary {
  label: string;
  count: number;
  seconds: number;
  perSecond: number;
}

/**
 * A progress bar on a terminal; on a pipe (CI, logs) one line every ~10 %. Long commands
 * (generators, crunch, warm-up) use it so a person sees they are moving and how fast.
 */
export function createProgress(label: string, total: number, unit = 'docs', out: NodeJS.WriteStream = process.stderr): Progress {
  const started = process.hrtime.bigint();
  let count = 0;
  const bar = out.isTTY
    ? new SingleBar(
        { format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | {rate}/s | eta {eta}s`, stream: out },
        Presets.shades_classic,
      )
    : undefined;
  bar?.start(total, 0, { rate: 0 });
  let nextLine = 0.1;
  const elapsed = () => Number(process.hrtime.bigint() - started) / 1e9;

  return {
    tick(n = 1) {
      count += n;
      const rate = Math.round(count / Math.max(elapsed(), 1e-3));
      if (bar) bar.update(count, { rate });
      else if (total > 0 && count / total >= nextLine) {
        out.write(`${label}: ${count}/${total} ${unit} (${Math.round((count / total) * 100)}%, ${rate}/s)\n`);
        while (count / total >= nextLine) nextLine += 0.1;
      }
    },
    done() {
      bar?.stop();
      const seconds = elapsed();
      const summary = { label, count, seconds: round(seconds, 3), perSecond: Math.round(count / Math.max(seconds, 1e-3)) };
      out.write(`${label}: ${count} ${unit} in ${summary.seconds} s (${summary.perSecond} ${unit}/s)\n`);
      return summary;
    },
  };
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
