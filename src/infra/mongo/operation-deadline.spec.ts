import { asMongoJob, MongoDeadlineError, MongoDeadlines } from './operation-deadline';

describe('MongoDeadlines', () => {
  const deadlines = new MongoDeadlines(750, 60_000);

  it('gives a request the request deadline, and a job the job deadline however deep its calls go', async () => {
    expect(deadlines.currentMs()).toBe(750);
    const inJob = await asMongoJob(async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return Promise.resolve().then(() => deadlines.currentMs());
    });
    expect(inJob).toBe(60_000);
    expect(deadlines.currentMs()).toBe(750);
  });

  it('gives every operation of the CLI the job deadline', () => {
    expect(new MongoDeadlines(750, 60_000, true).currentMs()).toBe(60_000);
  });

  it('bounds reads on both sides and writes on the client only', () => {
    expect(deadlines.read()).toEqual({ signal: expect.any(AbortSignal), maxTimeMS: 750 });
    expect(deadlines.write()).toEqual({ signal: expect.any(AbortSignal) });
  });

  it('aborts with a MongoDeadlineError when the deadline passes', async () => {
    jest.useFakeTimers();
    try {
      const { signal } = new MongoDeadlines(100, 1000).read();
      jest.advanceTimersByTime(99);
      expect(signal.aborted).toBe(false);
      jest.advanceTimersByTime(1);
      expect(signal.reason).toBeInstanceOf(MongoDeadlineError);
      expect((signal.reason as MongoDeadlineError).deadlineMs).toBe(100);
    } finally {
      jest.useRealTimers();
    }
  });
});
