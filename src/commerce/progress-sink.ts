import { createProgress } from '../common/progress';

export interface PhaseProgress {
  tick(n?: number): void;
  done(): void;
}

/** Where long commerce runs report progress: bars on the CLI, a pollable job over HTTP. */
export interface ProgressSink {
  phase(label: string, total: number, unit: string): PhaseProgress;
}

export const silentProgress: ProgressSink = { phase: () => ({ tick: () => undefined, done: () => undefined }) };

/** Terminal bars (one line per ~10 % on a pipe), each phase ending with its throughput line. */
export const cliProgress: ProgressSink = {
  phase(label, total, unit) {
    const bar = createProgress(label, total, unit);
    return { tick: (n) => bar.tick(n), done: () => void bar.done() };
  },
};
