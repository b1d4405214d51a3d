/**
 * A cluster-set scenario: several independent clusters in one sandbox, each from a scenario of
 * its own (a built-in name, a file path relative to the set's file, or written inline), with
 * faults added to that scenario's. Validated with zod; loaded by load-cluster-set.ts.
 *
 *   name: east-west
 *   clusters:
 *     - name: east
 *       scenario: emojivoto
 *     - name: west
 *       scenario: emojivoto
 *       faults: [{ type: freeze, service: web-svc.emojivoto }]
 */
import * as z from 'zod';
import { clusterNameSchema, MAX_CLUSTERS } from '../clusters/cluster-names.js';
import { faultSchema } from './fault-schema.js';

export const clusterEntrySchema = z.strictObject({
  /** The context name in the kubeconfig, the key in the JSON line, the Prometheus `cluster` label. */
  name: clusterNameSchema,
  /** A built-in scenario name, a YAML file (relative to this file), or a scenario written inline. */
  scenario: z
    .union([z.string().min(1), z.record(z.string(), z.unknown())], {
      error: 'expected a scenario: a built-in name, a file path, or a scenario map written inline',
    })
    .default('emojivoto'),
  /** Faults of this cluster's destination controller, added to its scenario's own. */
  faults: z.array(faultSchema, { error: 'expected a list of faults' }).default([]),
});

export const clusterSetSchema = z.strictObject({
  name: z.string({ error: 'expected a name for the set of clusters' }).min(1, { error: 'expected a name' }),
  description: z.string({ error: 'expected a string' }).optional(),
  clusters: z
    .array(clusterEntrySchema, { error: 'expected a list of clusters, each with a name and a scenario' })
    .min(1, { error: 'expected at least one cluster' })
    .max(MAX_CLUSTERS, { error: `expected at most ${MAX_CLUSTERS} clusters` }),
});

export type ClusterSetInput = z.input<typeof clusterSetSchema>;
export type ClusterSet = z.infer<typeof clusterSetSchema>;
