import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MeshbotError } from '../../../../src/errors.js';
import { createPrometheusClient } from '../../../../src/adapters/prometheus/prometheus-client.js';
import { PrometheusQueryError } from '../../../../src/adapters/prometheus/prometheus-errors.js';
import { parseSampleValue } from '../../../../src/adapters/prometheus/prometheus-responses.js';

/** A real HTTP server that answers like Prometheus's API, one handler per test. */
type Handler = (req: http.IncomingMessage, body: URLSearchParams, res: http.ServerResponse) => void;

let handler: Handler = (_req, _body, res) => res.end();
let server: http.Server;
let url: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, new URLSearchParams(Buffer.concat(chunks).toString()), res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function caught(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('parseSampleValue', () => {
  it('reads decimals, NaN and infinities', () => {
    expect(parseSampleValue('1.5')).toBe(1.5);
    expect(parseSampleValue('+Inf')).toBe(Number.POSITIVE_INFINITY);
    expect(parseSampleValue('-Inf')).toBe(Number.NEGATIVE_INFINITY);
    expect(parseSampleValue('NaN')).toBeNaN();
  });
});

describe('createPrometheusClient', () => {
  it('posts an instant query and parses a vector', async () => {
    let seen: URLSearchParams | undefined;
    let path = '';
    handler = (req, body, res) => {
      seen = body;
      path = req.url ?? '';
      json(res, 200, {
        status: 'success',
        data: {
          resultType: 'vector',
          result: [
            { metric: { service: 'web-svc' }, value: [1700000000.5, '3'] },
            { metric: { service: 'emoji-svc' }, value: [1700000000.5, 'NaN'] },
          ],
        },
      });
    };
    const client = createPrometheusClient({ url });
    const r = await client.query('sum(endpoints_updates)', { time: new Date(1700000000500) });
    expect(path).toBe('/api/v1/query');
    expect(seen?.get('query')).toBe('sum(endpoints_updates)');
    expect(seen?.get('time')).toBe('1700000000.500');
    expect(seen?.get('timeout')).toBe('10s');
    expect(r.samples).toHaveLength(2);
    expect(r.samples[0]).toEqual({ metric: { service: 'web-svc' }, value: 3, timestamp: 1700000000500 });
    expect(r.samples[1]?.value).toBeNaN();
  });

  it('parses a scalar as one unlabelled sample', async () => {
    handler = (_req, _body, res) =>
      json(res, 200, { status: 'success', data: { resultType: 'scalar', result: [1700000000, '0.25'] } });
    const r = await createPrometheusClient({ url }).query('scalar(x)');
    expect(r.samples).toEqual([{ metric: {}, value: 0.25, timestamp: 1700000000000 }]);
  });

  it('parses a range query into series, with warnings', async () => {
    let seen: URLSearchParams | undefined;
    handler = (_req, body, res) => {
      seen = body;
      json(res, 200, {
        status: 'success',
        warnings: ['results truncated'],
        data: {
          resultType: 'matrix',
          result: [
            {
              metric: {},
              values: [
                [1700000000, '1'],
                [1700000010, '2'],
              ],
            },
          ],
        },
      });
    };
    const r = await createPrometheusClient({ url }).queryRange('x', {
      start: new Date(1700000000000),
      end: new Date(1700000010000),
      stepSeconds: 10,
    });
    expect(seen?.get('step')).toBe('10');
    expect(r.series[0]?.points).toEqual([
      { t: 1700000000000, v: 1 },
      { t: 1700000010000, v: 2 },
    ]);
    expect(r.warnings).toEqual(['results truncated']);
  });

  it('treats an empty result as data, not an error', async () => {
    handler = (_req, _body, res) =>
      json(res, 200, { status: 'success', data: { resultType: 'vector', result: [] } });
    await expect(createPrometheusClient({ url }).query('absent_metric')).resolves.toEqual({
      samples: [],
      series: [],
      warnings: [],
    });
  });

  it('turns status:error into a PrometheusQueryError naming the errorType and the query', async () => {
    handler = (_req, _body, res) =>
      json(res, 400, {
        status: 'error',
        errorType: 'bad_data',
        error: '1:5: parse error: unexpected right parenthesis',
      });
    const err = await caught(createPrometheusClient({ url }).query('sum())'));
    expect(err).toBeInstanceOf(PrometheusQueryError);
    const q = err as PrometheusQueryError;
    expect(q.errorType).toBe('bad_data');
    expect(q.message).toBe(
      'Prometheus refused the query (bad_data): 1:5: parse error: unexpected right parenthesis',
    );
    expect(q.hint).toContain('sum())');
  });

  it('names a URL that is not a Prometheus API', async () => {
    handler = (_req, _body, res) => {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('<html>not here</html>');
    };
    const err = await caught(createPrometheusClient({ url }).query('up'));
    expect(err).toBeInstanceOf(MeshbotError);
    expect((err as MeshbotError).kind).toBe('not-found');
    expect((err as MeshbotError).message).toContain('has no Prometheus API');
  });

  it('reports JSON that is not the API envelope', async () => {
    handler = (_req, _body, res) => json(res, 200, { hello: 'world' });
    const err = await caught(createPrometheusClient({ url }).query('up'));
    expect((err as MeshbotError).message).toContain('not a Prometheus API response');
  });

  it('says unreachable, with the URL and the port-forward option, when nothing listens', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const err = await caught(createPrometheusClient({ url: `http://127.0.0.1:${port}` }).query('up'));
    expect(err).toBeInstanceOf(MeshbotError);
    const e = err as MeshbotError;
    expect(e.kind).toBe('unreachable');
    expect(e.message).toBe(`Prometheus at http://127.0.0.1:${port} could not be reached (ECONNREFUSED)`);
    expect(e.hint).toContain(`http://127.0.0.1:${port}`);
    expect(e.hint).toContain('--prometheus-port-forward');
  });

  it('times out a Prometheus that does not answer', async () => {
    handler = () => {
      /* never answers */
    };
    const err = await caught(createPrometheusClient({ url, timeoutMs: 200 }).query('up'));
    expect((err as MeshbotError).kind).toBe('timeout');
    expect((err as MeshbotError).message).toContain('did not answer within 0.2s');
  });

  it('keeps at most maxConcurrent queries in flight', async () => {
    const total = 7;
    let arrived = 0;
    let inFlight = 0;
    let peak = 0;
    const held: http.ServerResponse[] = [];
    const answer = (res: http.ServerResponse): void => {
      inFlight--;
      json(res, 200, { status: 'success', data: { resultType: 'vector', result: [] } });
    };
    handler = (_req, _body, res) => {
      arrived++;
      inFlight++;
      peak = Math.max(peak, inFlight);
      held.push(res);
      // Answer the oldest once two are held (the queued ones then go out); at the end, answer all.
      if (arrived === total) held.splice(0).forEach(answer);
      else if (held.length >= 2) answer(held.shift()!);
    };
    const client = createPrometheusClient({ url, maxConcurrent: 2 });
    await Promise.all(Array.from({ length: total }, (_, i) => client.query(`q${i}`)));
    expect(peak).toBe(2);
  });
});
