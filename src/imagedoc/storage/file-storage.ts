import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';

/** Injection token of the active FileStorage driver. */
export const FILE_STORAGE = Symbol('FILE_STORAGE');

/**
 * Where document files live (the ImageDoc design: "serviço de armazenamento externo"). Keys are generated
 * by `newStorageKey()`; no user-provided text ever becomes part of a key or a path.
 */
export interface FileStorage {
  /** Stores the bytes under a new key; never overwrites an existing key. */
  put(key: string, data: Buffer): Promise<void>;
  read(key: string): Promise<Buffer>;
  stream(key: string): Readable;
  /** Removes the file; a missing file is not an error. */
  delete(key: string): Promise<void>;
  exists(key: string): Promise<boolean>;
}

const STORAGE_KEY = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function newStorageKey(): string {
  return randomUUID();
}

/** Drivers refuse any key that `newStorageKey` could not have produced. */
export function assertStorageKey(key: string): void {
  if (!STORAGE_KEY.test(key)) throw new Error(`invalid storage key "${key}"`);
}
