import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newStorageKey } from './file-storage';
import { LocalFileStorage } from './local-file-storage';

describe('LocalFileStorage', () => {
  let root: string;
  let storage: LocalFileStorage;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'storage-spec-'));
    storage = new LocalFileStorage(root);
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('stores, reads and deletes by generated key, fanned out by its first two characters', async () => {
    const key = newStorageKey();
    await storage.put(key, Buffer.from('hello'));
    expect((await storage.read(key)).toString()).toBe('hello');
    expect(await readdir(join(root, key.slice(0, 2)))).toEqual([key]);
    await storage.delete(key);
    expect(await storage.exists(key)).toBe(false);
    await expect(storage.delete(key)).resolves.toBeUndefined();
  });

  it('never overwrites an existing key', async () => {
    const key = newStorageKey();
    await storage.put(key, Buffer.from('first'));
    await expect(storage.put(key, Buffer.from('second'))).rejects.toThrow(/EEXIST/);
    expect((await storage.read(key)).toString()).toBe('first');
    expect(await readdir(join(root, key.slice(0, 2)))).toEqual([key]);
  });

  it.each(['../etc/passwd', '..', 'a/b', '', 'ABCDEF01-0000-0000-0000-000000000000', `${newStorageKey()}/../x`])(
    'refuses a key it could not have generated: %j',
    async (key) => {
      expect(() => storage.pathOf(key)).toThrow(/invalid storage key/);
      await expect(storage.put(key, Buffer.from('x'))).rejects.toThrow(/invalid storage key/);
      await expect(storage.delete(key)).rejects.toThrow(/invalid storage key/);
    },
  );
});
