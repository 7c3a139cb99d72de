import { mkdtempSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsersService } from '../../src/users/users.service';
import type { TestApp, TestContext } from '../harness/test-app';

export { generateImage, generatePdf } from '../../src/imagedoc/seed-files';

export interface Caller {
  id: string;
  username: string;
  auth: { Authorization: string };
}

/** An app with its own empty storage folder (pass STORAGE_DIR to share another app's files). */
export async function startImagedoc(ctx: TestContext, overrides: Record<string, string | number> = {}) {
  const storageDir = String(overrides.STORAGE_DIR ?? mkdtempSync(join(tmpdir(), 'imagedoc-storage-')));
  const api = await ctx.startApp({ STORAGE_DIR: storageDir, JWT_SECRET: 'imagedoc-test-secret-0123456789abcdef', ...overrides });
  return { api, storageDir };
}

export async function signUp(api: TestApp, username: string, role: 'user' | 'manager' = 'user'): Promise<Caller> {
  const password = 'password-123';
  const registered = await api.http.post('/auth/register').send({ username, email: `${username}@example.com`, password });
  if (registered.status !== 202) throw new Error(`register ${username}: ${registered.status} ${JSON.stringify(registered.body)}`);
  if (role === 'manager') await api.app.get(UsersService).setRole(username, 'manager');
  const login = await api.http.post('/auth/login').send({ username, password });
  if (login.status !== 200) throw new Error(`login ${username}: ${login.status} ${JSON.stringify(login.body)}`);
  const auth = { Authorization: `Bearer ${login.body.access_token}` };
  const me = await api.http.get('/auth/me').set(auth);
  return { id: String(me.body._id), username, auth };
}

/** Every file under the storage root (recursively). */
export async function storedFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

export async function createCollection(api: TestApp, caller: Caller, title = 'Arquivo') {
  const res = await api.http.post('/collections').set(caller.auth).send({ title });
  if (res.status !== 201) throw new Error(`create collection: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { _id: string; user_id: string; title: string; documents: string[] };
}

export async function upload(
  api: TestApp,
  caller: Caller,
  collectionId: string,
  data: Buffer,
  filename: string,
  title = 'Documento',
  contentType?: string,
) {
  return api.http
    .post(`/collections/${collectionId}/documents`)
    .set(caller.auth)
    .field('title', title)
    .attach('file', data, contentType ? { filename, contentType } : { filename });
}

/** GET /documents/:id/file with the body collected as raw bytes. */
export function downloadFile(api: TestApp, caller: Caller, documentId: string) {
  return api.http
    .get(`/documents/${documentId}/file`)
    .set(caller.auth)
    .buffer(true)
    .parse((r, done) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => done(null, Buffer.concat(chunks)));
    });
}
