/**
 * The custom resources that define routes, served as Linkerd's CRDs (linkerd-crds chart) make
 * the real API server serve them: ServiceProfile (`linkerd.io/v1alpha2`), Linkerd's HTTPRoute
 * (`policy.linkerd.io/v1beta3`) and the Gateway API's HTTPRoute (`gateway.networking.k8s.io/v1`,
 * which linkerd-crds installs unless told not to).
 */
import type { KindSpec } from './store-types.js';

export const ROUTE_KINDS: readonly KindSpec[] = [
  {
    group: 'linkerd.io',
    version: 'v1alpha2',
    kind: 'ServiceProfile',
    plural: 'serviceprofiles',
    singular: 'serviceprofile',
    namespaced: true,
    shortNames: ['sp'],
  },
  {
    group: 'gateway.networking.k8s.io',
    version: 'v1',
    kind: 'HTTPRoute',
    plural: 'httproutes',
    singular: 'httproute',
    namespaced: true,
    subresources: ['status'],
    categories: ['gateway-api'],
  },
  {
    group: 'policy.linkerd.io',
    version: 'v1beta3',
    kind: 'HTTPRoute',
    plural: 'httproutes',
    singular: 'httproute',
    namespaced: true,
    subresources: ['status'],
    categories: ['policy'],
  },
];
