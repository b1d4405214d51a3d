/**
 * The custom resources that define routes, served as Linkerd's CRDs (linkerd-crds chart) make
 * the real API server serve them: ServiceProfile (`linkerd.io/v1alpha2`), Linkerd's HTTPRoute
 * (`policy.linkerd.io/v1beta3`), the Gateway API's HTTPRoute (`gateway.networking.k8s.io/v1`,
 * which linkerd-crds installs unless told not to) and the Gateway API's GRPCRoute
 * (`gateway.networking.k8s.io/v1`: the only GRPCRoute Linkerd reads; linkerd-crds installs it
 * from edge-24.5.2, or the Gateway API's own install does).
 * Each is served only while its CRD exists (`crd`, served-kinds.ts), as a real API server does.
 */
import type { KindSpec } from './store-types.js';

export const ROUTE_KINDS: readonly KindSpec[] = [
  {
    group: 'linkerd.io',
    version: 'v1alpha2',
    kind: 'ServiceProfile',
    plural: 'serviceprofiles',
    crd: 'serviceprofiles.linkerd.io',
    singular: 'serviceprofile',
    namespaced: true,
    shortNames: ['sp'],
  },
  {
    group: 'gateway.networking.k8s.io',
    version: 'v1',
    kind: 'HTTPRoute',
    plural: 'httproutes',
    crd: 'httproutes.gateway.networking.k8s.io',
    singular: 'httproute',
    namespaced: true,
    subresources: ['status'],
    categories: ['gateway-api'],
  },
  {
    group: 'gateway.networking.k8s.io',
    version: 'v1',
    kind: 'GRPCRoute',
    plural: 'grpcroutes',
    crd: 'grpcroutes.gateway.networking.k8s.io',
    singular: 'grpcroute',
    namespaced: true,
    subresources: ['status'],
    categories: ['gateway-api'],
  },
  {
    group: 'policy.linkerd.io',
    version: 'v1beta3',
    kind: 'HTTPRoute',
    plural: 'httproutes',
    crd: 'httproutes.policy.linkerd.io',
    singular: 'httproute',
    namespaced: true,
    subresources: ['status'],
    categories: ['policy'],
  },
];
