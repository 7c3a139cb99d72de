import { adminAuth, createTestContext, TestApp, TestContext } from './harness/test-app';

describe('foundation: health, errors, metrics, docs', () => {
  let ctx: TestContext;
  let api: TestApp;

  beforeAll(async () => {
    ctx = await createTestContext('foundation');
    api = await ctx.startApp();
  });
  afterAll(() => ctx.close());

  it('reports MongoDB and Redis up', async () => {
    const res = await api.http.get('/health').expect(200);
    expect(res.body).toMatchObject({ status: 'ok', mongo: 'up', redis: 'up' });
  });

  it('answers unknown routes with the shared error shape and echoes the request id', async () => {
    const res = await api.http.get('/nope').set('X-Request-Id', 'abc-123').expect(404);
    expect(res.headers['x-request-id']).toBe('abc-123');
    expect(res.body).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: expect.any(String),
      path: '/nope',
      timestamp: expect.any(String),
      requestId: 'abc-123',
    });
  });

  it('rejects malformed JSON with 400, not 500', async () => {
    const res = await api.http
      .post('/cache/refresh')
      .set('Authorization', 'Bearer x')
      .set('content-type', 'application/json')
      .send('{"a":');
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });

  it('serves the OpenAPI document with bearer auth and tags', async () => {
    const res = await api.http.get('/docs-json').expect(200);
    expect(res.body.info.title).toBe('Cachebook API');
    expect(res.body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(res.body.tags.map((t: { name: string }) => t.name)).toEqual(expect.arrayContaining(['health', 'cache']));
  });

  it('exposes Prometheus metrics', async () => {
    await api.http.get('/health');
    const res = await api.http.get('/metrics').set(adminAuth).expect(200);
    expect(res.text).toContain('http_request_duration_seconds_bucket');
    expect(res.text).toContain('cache_l1_entries');
  });
});
