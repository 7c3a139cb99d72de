export default async function globalTeardown(): Promise<void> {
  await Promise.allSettled((globalThis.__testServers ?? []).map((server) => server.stop()));
}
