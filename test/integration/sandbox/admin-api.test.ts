/** The sandbox admin API over real HTTP: set, list and clear faults; bad requests are 400s that explain. */
import { startSandbox, type RunningSandbox } from '../../../src/sandbox/start-sandbox.js';

describe('sandbox admin API', () => {
  let sb: RunningSandbox;
  beforeAll(async () => {
    sb = await startSandbox({ scenario: 'emojivoto', podReadyDelayMs: 0 });
  });
  afterAll(async () => {
    await sb?.stop();
  });
  afterEach(async () => {
    await fetch(`${sb.admin}/faults`, { method: 'DELETE' });
  });

  const post = (body: string) =>
    fetch(`${sb.admin}/faults`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });

  it('answers /healthz', async () => {
    const res = await fetch(`${sb.admin}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('sets faults, lists them, clears one service, then all', async () => {
    let res = await post(JSON.stringify({ type: 'freeze', service: 'web-svc.emojivoto' }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      fault: { type: 'freeze', service: 'web-svc.emojivoto' },
      faults: [{ type: 'freeze', service: 'web-svc.emojivoto' }],
    });
    res = await post(JSON.stringify({ type: 'lag', ms: 250 }));
    expect(res.status).toBe(200);
    expect(sb.destinationController.faults()).toEqual(
      expect.arrayContaining([
        { type: 'freeze', service: 'web-svc.emojivoto' },
        { type: 'lag', ms: 250 },
      ]),
    );

    res = await fetch(`${sb.admin}/faults`);
    expect(((await res.json()) as { faults: unknown[] }).faults).toHaveLength(2);

    res = await fetch(`${sb.admin}/faults/web-svc.emojivoto`, { method: 'DELETE' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ faults: [{ type: 'lag', ms: 250 }] });

    res = await fetch(`${sb.admin}/faults`, { method: 'DELETE' });
    expect(await res.json()).toEqual({ faults: [] });
    expect(sb.destinationController.faults()).toEqual([]);
  });

  it('refuses bad JSON with 400, listing the valid types', async () => {
    const res = await post('{"type": ');
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; validTypes: string[] };
    expect(body.error).toMatch(/^request body is not valid JSON/);
    expect(body.validTypes).toEqual(['freeze', 'lag', 'drop-removes', 'unavailable', 'slow-first', 'reset']);
  });

  it('refuses an unknown fault type naming the field and the valid types', async () => {
    const res = await post(JSON.stringify({ type: 'explode' }));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error:
        'type: expected a fault type, one of: freeze, lag, drop-removes, unavailable, slow-first, reset, got "explode"',
      field: 'type',
      problems: [
        'type: expected a fault type, one of: freeze, lag, drop-removes, unavailable, slow-first, reset, got "explode"',
      ],
      validTypes: ['freeze', 'lag', 'drop-removes', 'unavailable', 'slow-first', 'reset'],
    });
    expect(sb.destinationController.faults()).toEqual([]);
  });

  it('refuses a fault with a bad field', async () => {
    const res = await post(JSON.stringify({ type: 'lag', ms: 'soon', service: 'web-svc' }));
    expect(res.status).toBe(400);
    const body = (await res.json()) as { field: string; problems: string[] };
    expect(body.field).toBe('ms');
    expect(body.problems).toEqual([
      'ms: expected a whole number of milliseconds (0 to 3600000), got "soon"',
      'service: expected a service as NAME.NAMESPACE (e.g. web-svc.emojivoto), got "web-svc"',
    ]);
  });

  it('answers 404 for unknown paths, 405 for wrong methods, 400 for a bad service key', async () => {
    let res = await fetch(`${sb.admin}/nope`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { endpoints: string[] }).endpoints).toContain('POST /faults');
    res = await fetch(`${sb.admin}/faults`, { method: 'PUT', body: '{}' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, POST, DELETE');
    res = await fetch(`${sb.admin}/faults/Not_A_Service`, { method: 'DELETE' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { field: string }).field).toBe('service');
  });
});
