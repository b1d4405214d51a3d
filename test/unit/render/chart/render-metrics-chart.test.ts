import { renderMetricsChart } from '../../../../src/render/chart/render-metrics-chart.js';
import type { MetricsData } from '../../../../src/steps/metrics/metrics-types.js';
import { emptyData } from '../../../../src/steps/metrics/run-metrics-step.js';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function data(withSeries: boolean): MetricsData {
  const to = Date.parse('2026-11-23T12:30:00Z');
  const points = (f: (i: number) => number) =>
    Array.from({ length: 60 }, (_, i) => ({ t: to - (60 - i) * 1000, v: f(i) }));
  const empty = emptyData('http://127.0.0.1:9090', 60, new Date(to - 60_000), new Date(to));
  return {
    ...empty,
    stepSeconds: 1,
    destination: { ...empty.destination, scraped: true },
    series: withSeries
      ? [
          {
            key: 'updates',
            label: 'endpoints_updates',
            unit: 'count',
            points: points((i) => Math.floor(i / 10)),
          },
          { key: 'subscribers', label: 'endpoints_subscribers', unit: 'streams', points: points(() => 2) },
          { key: 'informerLagP99', label: 'lag', unit: 's', points: points(() => 0.5) },
          { key: 'successRate', label: 'success', unit: '%', points: points(() => 0.99) },
        ]
      : [],
    queries: [],
  };
}

function dimensions(png: Uint8Array): { width: number; height: number } {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) }; // IHDR follows the signature
}

describe('renderMetricsChart', () => {
  it('draws a 2x2 panel PNG of the series', async () => {
    const png = await renderMetricsChart('web-svc.emojivoto', data(true));
    expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    expect(dimensions(png)).toEqual({ width: 1280, height: 696 });
    expect(png.byteLength).toBeGreaterThan(10_000);
  });

  it('still draws when there is no data at all', async () => {
    const png = await renderMetricsChart('web-svc.emojivoto', data(false));
    expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
  });
});
