/**
 * Who calls the sandbox API server. Bearer tokens name users, as a real cluster's
 * ServiceAccount tokens do:
 * - meshbot's kubeconfig carries SANDBOX_TOKEN and acts as MESHBOT_USER, the identity the
 *   scenario's access rules restrict by default;
 * - the sandbox's own components (the simulated destination controller) carry
 *   CONTROL_PLANE_TOKEN and act as CONTROL_PLANE_USER, which rules only restrict when they
 *   name it, so denying meshbot a resource does not blind the simulated control plane.
 */
export const SANDBOX_TOKEN = 'meshbot-sandbox-token';
export const MESHBOT_USER = 'system:serviceaccount:linkerd:meshbot';

export const CONTROL_PLANE_TOKEN = 'meshbot-sandbox-control-plane-token';
export const CONTROL_PLANE_USER = 'system:serviceaccount:linkerd:linkerd-destination';

export const DEFAULT_TOKENS: Readonly<Record<string, string>> = {
  [SANDBOX_TOKEN]: MESHBOT_USER,
  [CONTROL_PLANE_TOKEN]: CONTROL_PLANE_USER,
};
