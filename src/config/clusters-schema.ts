/**
 * The `clusters:` section of the config (docs/clusters.md): every cluster one meshbot serves,
 * how to reach it, and, per cluster, who may do what there. Without the section meshbot serves
 * one cluster, reached as the flags and environment say (today's behaviour).
 */
import * as z from 'zod';

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const namespace = z.string().regex(dnsLabel, 'a namespace (DNS-1123 label)');
const hostPort = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/;
const slackId = z.string().regex(/^[A-Z0-9]{2,20}$/, 'a Slack id such as U012AB3CD');

export const clusterNameSchema = z
  .string()
  .max(63, 'at most 63 characters')
  .regex(dnsLabel, 'a cluster name: lowercase letters, digits and "-" (a DNS label), e.g. prod-eu');

/** A channel rule's fields (docs/slack.md#authorization), shared by the top level and each cluster. */
export const channelRuleFields = z.object({
  id: z
    .union([
      z.literal('*'),
      z.string().regex(/^[CGD][A-Z0-9]{2,20}$/, 'a channel id such as C012AB3CD, or *'),
    ])
    .optional(),
  name: z
    .string()
    .regex(/^#?[a-z0-9][a-z0-9_-]{0,79}$/, 'a channel name such as incidents')
    .optional(),
  answer: z.boolean().default(true),
  namespaces: z
    .array(z.union([z.literal('*'), z.string().regex(dnsLabel, 'a namespace (DNS-1123 label) or *')]))
    .default(['*']),
});

export const hasIdOrName = (r: { id?: string | undefined; name?: string | undefined }): boolean =>
  r.id !== undefined || r.name !== undefined;

/** Who may change the cluster: Slack users and user groups. */
export const mutatorsSchema = z
  .object({ users: z.array(slackId).default([]), userGroups: z.array(slackId).default([]) })
  .strict()
  .default({ users: [], userGroups: [] });

/** Per-cluster authorization: the same shape as the top-level `authorization`. */
export const clusterAuthorizationSchema = z
  .object({
    channels: z
      .array(
        channelRuleFields.strict().refine(hasIdOrName, { message: 'a channel rule needs an id or a name' }),
      )
      .optional(),
    mutators: mutatorsSchema,
  })
  .strict();

export const clusterSchema = z
  .object({
    name: clusterNameSchema,
    /** A kubeconfig file; absent: KUBECONFIG, ~/.kube/config, then in-cluster. */
    kubeconfig: z.string().min(1, 'a file path').optional(),
    /** The kubeconfig's context for this cluster. */
    context: z.string().min(1, 'a context name').optional(),
    /** The cluster meshbot runs in: its ServiceAccount, the in-cluster destination service. */
    inCluster: z.boolean().default(false),
    /** Destination controller HOST:PORT; absent: port-forward (or the in-cluster service). */
    destination: z
      .string()
      .regex(hostPort, 'HOST:PORT, e.g. linkerd-dst.linkerd.svc.cluster.local:8086')
      .optional(),
    prometheusUrl: z.url({ protocol: /^https?$/, error: 'an http(s) URL' }).optional(),
    /** Reach linkerd-viz's Prometheus through a port-forward instead of the URL. */
    prometheusPortForward: z.boolean().default(false),
    controlPlaneNamespace: namespace.default('linkerd'),
    clusterDomain: z
      .string()
      .regex(
        /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
        'a DNS name such as cluster.local',
      )
      .default('cluster.local'),
    /** Who may do what on this cluster; absent: the top-level `authorization`. */
    authorization: clusterAuthorizationSchema.optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.inCluster && (c.kubeconfig !== undefined || c.context !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['inCluster'],
        message: 'inCluster takes no kubeconfig or context: give one or the other',
      });
    }
  });

export const clustersSchema = z
  .array(clusterSchema)
  .min(1, 'list at least one cluster, or leave clusters: out for one')
  .superRefine((clusters, ctx) => {
    const seen = new Set<string>();
    clusters.forEach((c, i) => {
      if (seen.has(c.name)) {
        ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `cluster "${c.name}" is listed twice` });
      }
      seen.add(c.name);
    });
    if (clusters.filter((c) => c.inCluster).length > 1) {
      ctx.addIssue({
        code: 'custom',
        message: 'only one cluster can be inCluster (the one meshbot runs in)',
      });
    }
  })
  .optional();

export type ClusterConfig = z.infer<typeof clusterSchema>;
export type ClusterAuthorization = z.infer<typeof clusterAuthorizationSchema>;
