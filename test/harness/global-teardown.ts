/** How long the run may stay alive after the servers stop before the leak report below fires. */
const LEAK_GRACE_MS = 15_000;

export default async function globalTeardown(): Promise<void> {
  await Promise.allSettled((globalThis.__testServers ?? []).map((server) => server.stop()));
  // Jest exits when nothing keeps the event loop busy. Something left open (a client that was never
  // closed, a timer) would hang the run; instead of hiding it with forceExit, name what is left and
  // end the run (Jest's own exit code still applies). Unref'd: a clean run never waits for it.
  setTimeout(() => {
    const left = process.getActiveResourcesInfo().filter((resource) => resource !== 'TTYWrap');
    console.error(`tests left ${left.length} handles open after ${LEAK_GRACE_MS / 1000} s (${left.join(', ')}): exiting anyway`);
    process.exit();
  }, LEAK_GRACE_MS).unref();
}
