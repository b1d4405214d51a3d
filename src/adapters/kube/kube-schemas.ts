/**
 * zod schemas for the parts of Kubernetes objects meshbot depends on. client-node's generated
 * types make almost every field optional and carry no guarantee about shapes from other servers;
 * these say exactly what we read, and the parse fails loudly when a server sends something else.
 */
import * as z from 'zod';

const labels = z.record(z.string(), z.string()).nullish();
const timestamp = z.union([z.string(), z.date()]).nullish();

const metadata = z.object({
  name: z.string(),
  namespace: z.string().nullish(),
  resourceVersion: z.string().nullish(),
  labels,
  annotations: labels,
  deletionTimestamp: timestamp,
  ownerReferences: z
    .array(z.object({ kind: z.string(), name: z.string(), controller: z.boolean().nullish() }))
    .nullish(),
});

export const serviceSchema = z.object({
  metadata,
  spec: z
    .object({
      type: z.string().nullish(),
      clusterIP: z.string().nullish(),
      ipFamilies: z.array(z.string()).nullish(),
      selector: z.record(z.string(), z.string()).nullish(),
      externalName: z.string().nullish(),
      ports: z
        .array(
          z.object({
            name: z.string().nullish(),
            port: z.number().int(),
            targetPort: z.union([z.number().int(), z.string()]).nullish(),
            protocol: z.string().nullish(),
            appProtocol: z.string().nullish(),
          }),
        )
        .nullish(),
    })
    .nullish(),
});

const endpointConditions = z
  .object({
    ready: z.boolean().nullish(),
    serving: z.boolean().nullish(),
    terminating: z.boolean().nullish(),
  })
  .nullish();

const targetRef = z.object({ kind: z.string().nullish(), name: z.string().nullish() }).nullish();

const endpointPort = z.object({
  name: z.string().nullish(),
  port: z.number().int().nullish(),
  protocol: z.string().nullish(),
});

export const endpointSliceSchema = z.object({
  metadata,
  addressType: z.string(),
  endpoints: z
    .array(
      z.object({
        addresses: z.array(z.string()),
        conditions: endpointConditions,
        targetRef,
        nodeName: z.string().nullish(),
        zone: z.string().nullish(),
      }),
    )
    .nullish(),
  ports: z.array(endpointPort).nullish(),
});

export const endpointSliceListSchema = z.object({ items: z.array(endpointSliceSchema) });

const endpointAddress = z.object({ ip: z.string(), nodeName: z.string().nullish(), targetRef });

export const endpointsSchema = z.object({
  metadata,
  subsets: z
    .array(
      z.object({
        addresses: z.array(endpointAddress).nullish(),
        notReadyAddresses: z.array(endpointAddress).nullish(),
        ports: z.array(endpointPort).nullish(),
      }),
    )
    .nullish(),
});

export const podSchema = z.object({
  metadata,
  spec: z
    .object({
      nodeName: z.string().nullish(),
      containers: z
        .array(
          z.object({
            ports: z
              .array(z.object({ name: z.string().nullish(), containerPort: z.number().int() }))
              .nullish(),
          }),
        )
        .nullish(),
    })
    .nullish(),
  status: z
    .object({
      phase: z.string().nullish(),
      podIP: z.string().nullish(),
      podIPs: z.array(z.object({ ip: z.string() })).nullish(),
      conditions: z.array(z.object({ type: z.string(), status: z.string() })).nullish(),
    })
    .nullish(),
});

export const podListSchema = z.object({ items: z.array(podSchema) });
export const serviceListSchema = z.object({ items: z.array(serviceSchema) });

export const namespaceSchema = z.object({
  metadata,
  status: z.object({ phase: z.string().nullish() }).nullish(),
});

export type ServiceObject = z.infer<typeof serviceSchema>;
export type EndpointSliceObject = z.infer<typeof endpointSliceSchema>;
export type EndpointsObject = z.infer<typeof endpointsSchema>;
export type PodObject = z.infer<typeof podSchema>;
