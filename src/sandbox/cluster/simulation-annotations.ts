/**
 * Pod-template annotations that tell the simulated kubelet how a workload's pods behave.
 * Scenarios set them; a Deployment applied with `kubectl create -f` may carry them too.
 * Pods inherit them from the template, so replacement pods behave like the originals.
 */
export const SIM = {
  /** Milliseconds from Running to Ready (overridden by the sandbox-wide `podReadyDelayMs`). */
  readyDelayMs: 'sandbox.meshbot.io/ready-delay-ms',
  /** "true": the pod runs but never passes its readiness probe. */
  neverReady: 'sandbox.meshbot.io/never-ready',
  /** "true": the main container crash-loops (restartCount grows, CrashLoopBackOff). */
  crashLoop: 'sandbox.meshbot.io/crash-loop',
  /** Milliseconds between crash-loop restarts. */
  crashLoopIntervalMs: 'sandbox.meshbot.io/crash-loop-interval-ms',
  /** restartCount a crash-looping or healthy pod starts with. */
  initialRestarts: 'sandbox.meshbot.io/initial-restarts',
  /** Why the main container last terminated (e.g. OOMKilled); default Error for crash loops, none otherwise. */
  lastTermination: 'sandbox.meshbot.io/last-termination',
} as const;

/** Linkerd's own labels and annotations (set by the proxy injector, read by the health checks). */
export const LINKERD = {
  inject: 'linkerd.io/inject',
  proxyVersionOverride: 'config.linkerd.io/proxy-version',
  proxyVersion: 'linkerd.io/proxy-version',
  createdBy: 'linkerd.io/created-by',
  identityMode: 'linkerd.io/identity-mode',
  controlPlaneNs: 'linkerd.io/control-plane-ns',
  controlPlaneComponent: 'linkerd.io/control-plane-component',
  workloadNs: 'linkerd.io/workload-ns',
  proxyContainer: 'linkerd-proxy',
  initContainer: 'linkerd-init',
} as const;
