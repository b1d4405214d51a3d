/**
 * linkerd-viz's tap in a sandbox: with a scenario's Linkerd and `viz.installed` (the default),
 * the APIService `v1alpha1.tap.linkerd.io` is registered in the store and the tap API backend
 * serves it through the API server's aggregator; `viz.tap: down` keeps the APIService but
 * answers 503. Without viz there is neither, and the API server answers 404, as a cluster
 * without linkerd-viz does.
 */
import { apiServiceObject } from '../kube/aggregated-apis.js';
import type { KubeObject, ObjectStore } from '../kube/store-types.js';
import type { Scenario } from '../scenario/scenario-schema.js';
import { trafficModelOf } from '../traffic/traffic-model.js';
import { createTapApi, type RunningTapApi } from './tap-api-server.js';

export const VIZ_NAMESPACE = 'linkerd-viz';

export function installVizTap(store: ObjectStore, scenario: Scenario): RunningTapApi | undefined {
  if (!scenario.linkerd || !scenario.viz.installed) return undefined;
  const api = createTapApi({
    store,
    edges: trafficModelOf(scenario).edges,
    clusterDomain: scenario.linkerd.clusterDomain,
    controlPlaneNamespace: scenario.linkerd.namespace,
    serving: () => scenario.viz.tap === 'serving',
  });
  const apiService = apiServiceObject(api, { namespace: VIZ_NAMESPACE, name: 'tap' });
  apiService['status'] = {
    conditions: [
      scenario.viz.tap === 'serving'
        ? { type: 'Available', status: 'True', reason: 'Passed', message: 'all checks passed' }
        : {
            type: 'Available',
            status: 'False',
            reason: 'MissingEndpoints',
            message: `endpoints for service/tap in "${VIZ_NAMESPACE}" have no addresses with port name "apiserver"`,
          },
    ],
  };
  store.create(apiService as unknown as KubeObject);
  return api;
}
