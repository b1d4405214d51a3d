/**
 * The metrics step's chart: four panels over the window (endpoint updates with the controller's
 * pod count, subscribers, informer lag p99 with the 5 s line, inbound success rate), drawn with
 * chart.js on @napi-rs/canvas (no browser) and encoded as PNG.
 */
import { createCanvas, type SKRSContext2D } from '@napi-rs/canvas';
import { Chart, registerables, type ChartConfiguration, type ChartDataset } from 'chart.js';
import {
  THRESHOLDS,
  type ChartSeries,
  type ChartSeriesKey,
  type MetricsData,
} from '../../steps/metrics/metrics-types.js';
import { formatDuration } from '../../grammar/duration.js';

Chart.register(...registerables);

const PANEL_W = 640;
const PANEL_H = 320;
const HEADER_H = 56;
const FONT = 'DejaVu Sans, Liberation Sans, Arial, sans-serif';

const COLORS = {
  blue: '#2563eb',
  orange: '#ea580c',
  green: '#16a34a',
  purple: '#7c3aed',
  red: '#dc2626',
  grey: '#6b7280',
};

interface Panel {
  title: string;
  yTitle: string;
  datasets: Array<ChartDataset<'line', Array<{ x: number; y: number }>>>;
  yMin?: number;
  yMax?: number;
  /** Lower bound that the data may extend. */
  ySuggestedMin?: number;
  /** Counts: whole-number ticks. */
  integer?: boolean;
  /** Shown in the middle of an empty panel. */
  empty: boolean;
}

function seriesOf(data: MetricsData, key: ChartSeriesKey): ChartSeries | undefined {
  return data.series.find((s) => s.key === key);
}

/** The x axis: seconds for windows up to 5 minutes, minutes above. */
interface XAxis {
  unitMs: number;
  title: string;
}

function xAxisOf(windowSeconds: number): XAxis {
  return windowSeconds <= 300
    ? { unitMs: 1000, title: 'seconds before now' }
    : { unitMs: 60_000, title: 'minutes before now' };
}

/** Points relative to the end of the window, in the axis unit (negative = in the past). */
function xy(
  s: ChartSeries | undefined,
  endMs: number,
  unitMs: number,
  scale = 1,
): Array<{ x: number; y: number }> {
  return (s?.points ?? [])
    .filter((p) => Number.isFinite(p.v))
    .map((p) => ({ x: (p.t - endMs) / unitMs, y: p.v * scale }));
}

function line(
  label: string,
  color: string,
  points: Array<{ x: number; y: number }>,
  extra: Partial<ChartDataset<'line', Array<{ x: number; y: number }>>> = {},
): ChartDataset<'line', Array<{ x: number; y: number }>> {
  return {
    label,
    data: points,
    borderColor: color,
    backgroundColor: color,
    borderWidth: 2,
    pointRadius: 0,
    stepped: false,
    ...extra,
  };
}

function panels(data: MetricsData, axis: XAxis): Panel[] {
  const end = Date.parse(data.to);
  const start = Date.parse(data.from);
  const u = axis.unitMs;
  const updates = xy(seriesOf(data, 'updates'), end, u);
  const pods = xy(seriesOf(data, 'pods'), end, u);
  const subs = xy(seriesOf(data, 'subscribers'), end, u);
  const lag = xy(seriesOf(data, 'informerLagP99'), end, u);
  const success = xy(seriesOf(data, 'successRate'), end, u, 100);
  const across = (y: number): Array<{ x: number; y: number }> => [
    { x: (start - end) / u, y },
    { x: 0, y },
  ];
  return [
    {
      title: 'Endpoint updates (counter) and pods held by the controller',
      yTitle: 'count',
      datasets: [
        line('endpoints_updates', COLORS.blue, updates, { stepped: 'before' }),
        line('endpoints_pods', COLORS.orange, pods, { stepped: 'before', borderDash: [6, 4] }),
      ],
      yMin: 0,
      integer: true,
      empty: updates.length === 0 && pods.length === 0,
    },
    {
      title: 'Subscribers (proxies watching the service)',
      yTitle: 'streams',
      datasets: [line('endpoints_subscribers', COLORS.purple, subs, { stepped: 'before' })],
      yMin: 0,
      integer: true,
      empty: subs.length === 0,
    },
    {
      title: 'EndpointSlice informer lag, p99',
      yTitle: 'seconds',
      datasets: [
        line('lag p99', COLORS.green, lag),
        line(
          `warn above ${THRESHOLDS.informerLagP99Seconds}s`,
          COLORS.red,
          across(THRESHOLDS.informerLagP99Seconds),
          {
            borderDash: [4, 4],
            borderWidth: 1,
          },
        ),
      ],
      yMin: 0,
      empty: lag.length === 0,
    },
    {
      title: 'Inbound success rate of the pods',
      yTitle: '%',
      datasets: [
        line('success rate', COLORS.blue, success),
        line(
          `warn below ${THRESHOLDS.successRate * 100}%`,
          COLORS.red,
          across(THRESHOLDS.successRate * 100),
          {
            borderDash: [4, 4],
            borderWidth: 1,
          },
        ),
      ],
      yMax: 100,
      ySuggestedMin: 90,
      empty: success.length === 0,
    },
  ];
}

/** Draws one panel and copies it onto `target` at (x, y). */
function drawPanel(
  panel: Panel,
  xMin: number,
  axis: XAxis,
  target: SKRSContext2D,
  x: number,
  y: number,
): void {
  const canvas = createCanvas(PANEL_W, PANEL_H);
  const ctx = canvas.getContext('2d');
  const config: ChartConfiguration<'line', Array<{ x: number; y: number }>> = {
    type: 'line',
    data: { datasets: panel.datasets },
    options: {
      animation: false,
      responsive: false,
      devicePixelRatio: 1,
      parsing: false,
      normalized: true,
      plugins: {
        title: {
          display: true,
          text: panel.title,
          font: { size: 15, weight: 'bold', family: FONT },
          color: '#111827',
        },
        legend: {
          display: true,
          position: 'bottom',
          labels: { font: { size: 12, family: FONT }, boxHeight: 2 },
        },
      },
      scales: {
        x: {
          type: 'linear',
          min: xMin,
          max: 0,
          title: { display: true, text: axis.title, font: { family: FONT } },
          ticks: { font: { family: FONT }, maxTicksLimit: 8 },
        },
        y: {
          ...(panel.yMin !== undefined ? { min: panel.yMin } : {}),
          ...(panel.yMax !== undefined ? { max: panel.yMax } : {}),
          ...(panel.ySuggestedMin !== undefined ? { suggestedMin: panel.ySuggestedMin } : {}),
          beginAtZero: panel.ySuggestedMin === undefined,
          title: { display: true, text: panel.yTitle, font: { family: FONT } },
          ticks: { font: { family: FONT }, precision: panel.integer ? 0 : 2 },
        },
      },
    },
  };
  // chart.js draws on any CanvasRenderingContext2D-like object; @napi-rs/canvas provides one.
  const chart = new Chart(ctx as unknown as ConstructorParameters<typeof Chart>[0], config);
  chart.draw();
  if (panel.empty) {
    ctx.fillStyle = COLORS.grey;
    ctx.font = `16px ${FONT}`;
    ctx.textAlign = 'center';
    ctx.fillText('no data in the window', PANEL_W / 2, PANEL_H / 2);
  }
  target.drawImage(canvas, x, y);
  // destroy() clears the canvas, so only after the copy.
  chart.destroy();
}

function header(ctx: SKRSContext2D, title: string, subtitle: string): void {
  ctx.fillStyle = '#111827';
  ctx.font = `bold 20px ${FONT}`;
  ctx.textAlign = 'left';
  ctx.fillText(title, 16, 26);
  ctx.fillStyle = COLORS.grey;
  ctx.font = `13px ${FONT}`;
  ctx.fillText(subtitle, 16, 46);
}

/** `2026-11-23 18:00:05` */
function utc(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, '');
}

/** The PNG bytes of the chart of one metrics result. */
export async function renderMetricsChart(target: string, data: MetricsData): Promise<Uint8Array> {
  const width = PANEL_W * 2;
  const height = HEADER_H + PANEL_H * 2;
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  header(
    ctx,
    `meshbot metrics: ${target}, last ${formatDuration(data.windowSeconds)}`,
    `${utc(data.from)} to ${utc(data.to)} UTC, from ${data.prometheusUrl}, one point every ${data.stepSeconds}s`,
  );
  const axis = xAxisOf(data.windowSeconds);
  const xMin = (-data.windowSeconds * 1000) / axis.unitMs;
  const list = panels(data, axis);
  for (let i = 0; i < list.length; i++) {
    drawPanel(list[i]!, xMin, axis, ctx, (i % 2) * PANEL_W, HEADER_H + Math.floor(i / 2) * PANEL_H);
  }
  const png = await canvas.encode('png');
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}
