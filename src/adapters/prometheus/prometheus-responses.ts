/**
 * The Prometheus HTTP API's response envelope (https://prometheus.io/docs/prometheus/latest/querying/api/),
 * parsed with zod. Sample values arrive as strings ("1.5", "NaN", "+Inf", "-Inf") next to a
 * float Unix timestamp in seconds; we turn both into numbers.
 */
import * as z from 'zod';

/** Labels of one series, e.g. `{ __name__: 'endpoints_updates', namespace: 'emojivoto' }`. */
export type Labels = Record<string, string>;

/** One sample of an instant query. `timestamp` is in ms since the epoch. */
export interface Sample {
  metric: Labels;
  value: number;
  timestamp: number;
}

/** One point of a range query. `t` is in ms since the epoch. */
export interface Point {
  t: number;
  v: number;
}

export interface Series {
  metric: Labels;
  points: Point[];
}

const rawValue = z.tuple([z.number(), z.string()]);
const labels = z.record(z.string(), z.string());

const vectorData = z.object({
  resultType: z.literal('vector'),
  result: z.array(z.object({ metric: labels, value: rawValue })),
});
const scalarData = z.object({ resultType: z.literal('scalar'), result: rawValue });
const stringData = z.object({ resultType: z.literal('string'), result: rawValue });
const matrixData = z.object({
  resultType: z.literal('matrix'),
  result: z.array(z.object({ metric: labels, values: z.array(rawValue) })),
});

const queryData = z.discriminatedUnion('resultType', [vectorData, scalarData, stringData, matrixData]);

/** The envelope: `status: success` with data, or `status: error` with errorType and error. */
export const prometheusEnvelope = z.union([
  z.object({
    status: z.literal('success'),
    data: queryData,
    warnings: z.array(z.string()).optional(),
  }),
  z.object({
    status: z.literal('error'),
    errorType: z.string(),
    error: z.string(),
    data: z.unknown().optional(),
    warnings: z.array(z.string()).optional(),
  }),
]);

export type PrometheusEnvelope = z.infer<typeof prometheusEnvelope>;
export type QueryData = z.infer<typeof queryData>;

/** "NaN", "+Inf", "-Inf" and decimal strings as numbers. */
export function parseSampleValue(raw: string): number {
  switch (raw) {
    case '+Inf':
    case 'Inf':
      return Number.POSITIVE_INFINITY;
    case '-Inf':
      return Number.NEGATIVE_INFINITY;
    case 'NaN':
      return Number.NaN;
    default: {
      const n = Number(raw);
      return n;
    }
  }
}

function toMs(seconds: number): number {
  return Math.round(seconds * 1000);
}

/** An instant query's result as samples; a scalar becomes one sample without labels. */
export function samplesOf(data: QueryData): Sample[] {
  switch (data.resultType) {
    case 'vector':
      return data.result.map((r) => ({
        metric: r.metric,
        value: parseSampleValue(r.value[1]),
        timestamp: toMs(r.value[0]),
      }));
    case 'scalar':
      return [{ metric: {}, value: parseSampleValue(data.result[1]), timestamp: toMs(data.result[0]) }];
    case 'string':
      return [];
    case 'matrix':
      // An instant query of a range selector (`x[5m]`): keep the latest point of each series.
      return data.result.flatMap((r) => {
        const last = r.values[r.values.length - 1];
        return last ? [{ metric: r.metric, value: parseSampleValue(last[1]), timestamp: toMs(last[0]) }] : [];
      });
  }
}

/** A range query's result as series of points. */
export function seriesOf(data: QueryData): Series[] {
  switch (data.resultType) {
    case 'matrix':
      return data.result.map((r) => ({
        metric: r.metric,
        points: r.values.map(([t, v]) => ({ t: toMs(t), v: parseSampleValue(v) })),
      }));
    case 'vector':
      return data.result.map((r) => ({
        metric: r.metric,
        points: [{ t: toMs(r.value[0]), v: parseSampleValue(r.value[1]) }],
      }));
    case 'scalar':
      return [{ metric: {}, points: [{ t: toMs(data.result[0]), v: parseSampleValue(data.result[1]) }] }];
    case 'string':
      return [];
  }
}
