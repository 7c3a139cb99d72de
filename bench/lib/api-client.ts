/** A JSON call to the app under benchmark; throws with the status and body on anything but 2xx. */
export async function json(
  baseUrl: string,
  method: string,
  path: string,
  auth: string | undefined,
  body?: object,
): Promise<Record<string, string>> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as never;
}

/** Registers and logs in a user; returns its Authorization header value. */
export async function signUp(baseUrl: string, username: string): Promise<string> {
  const password = 'bench-password-1';
  await json(baseUrl, 'POST', '/auth/register', undefined, { username, email: `${username}@bench.example`, password });
  const { access_token } = await json(baseUrl, 'POST', '/auth/login', undefined, { username, password });
  return `Bearer ${access_token}`;
}
