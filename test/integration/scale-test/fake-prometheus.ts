/**
 * A stand-in for Prometheus's query API, enough for the scale test's one query
 * (`sum(endpoints_updates{namespace="NS",service="SVC"})`): each query scrapes the sandbox
 * destination controller's /metrics at that moment, as a Prometheus with an instant scrape
 * would see it, and answers a vector.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakePrometheus {
  url: string;
  queries: string[];
  close(): Promise<void>;
}

function labelsOf(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
    if (m[1] && m[2] !== undefined) out[m[1]] = m[2];
  return out;
}

export async function startFakePrometheus(metricsUrl: string): Promise<FakePrometheus> {
  const queries: string[] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      let query = url.searchParams.get('query') ?? '';
      if (req.method === 'POST') {
        let body = '';
        for await (const c of req) body += String(c);
        query = new URLSearchParams(body).get('query') ?? query;
      }
      queries.push(query);
      const m = /^sum\((\w+)\{([^}]*)\}\)$/.exec(query);
      const result: Array<{ metric: Record<string, string>; value: [number, string] }> = [];
      if (m) {
        const want = labelsOf(m[2] ?? '');
        const text = await (await fetch(metricsUrl)).text();
        let sum = 0;
        let found = false;
        for (const line of text.split('\n')) {
          if (!line.startsWith(`${m[1]}{`)) continue;
          const labels = labelsOf(line.slice(line.indexOf('{') + 1, line.lastIndexOf('}')));
          if (Object.entries(want).every(([k, v]) => labels[k] === v)) {
            sum += Number(line.slice(line.lastIndexOf('}') + 1).trim());
            found = true;
          }
        }
        if (found) result.push({ metric: {}, value: [Date.now() / 1000, String(sum)] });
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result } }));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    queries,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
