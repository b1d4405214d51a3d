/**
 * What checks read, each read done once per run and shared (several checks look at the same
 * pods and certificates, as `linkerd check`'s HealthChecker keeps them between checks). A read
 * that finds the data unusable throws a CheckProblem: the runner makes it the check's `fail`;
 * any other error (403, timeout) makes it `error`.
 */
import type { V1ConfigMap, V1Pod } from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import type { ControlPlaneReader } from '../../adapters/kube/control-plane-reader.js';
import { parsePemBundle, type ParsedCertificate } from './certificates.js';
import type { CheckOptions } from './check-types.js';
import { PROXY_VERSION_ANNOTATION } from './pod-health.js';

/** A problem with what was read (missing object or key, unparseable certificate): the check fails. */
export class CheckProblem extends Error {
  readonly hint: string | undefined;
  constructor(message: string, hint?: string) {
    super(message);
    this.name = 'CheckProblem';
    this.hint = hint;
  }
}

export const LINKERD_CONFIG = 'linkerd-config';
export const TRUST_ROOTS_CONFIGMAP = 'linkerd-identity-trust-roots';
export const TRUST_ROOTS_KEY = 'ca-bundle.crt';
export const ISSUER_SECRET = 'linkerd-identity-issuer';
export const CONTROL_PLANE_COMPONENT_LABEL = 'linkerd.io/control-plane-component';
export const CONTROL_PLANE_NS_LABEL = 'linkerd.io/control-plane-ns';
/** The control-plane components whose pods `check` requires. */
export const CONTROL_PLANE_COMPONENTS = ['destination', 'identity', 'proxy-injector'] as const;

export interface LinkerdConfig {
  configMap: V1ConfigMap;
  /** The parsed `values` key (Helm values), empty when absent. */
  values: Record<string, unknown>;
  /** `linkerdVersion` from the values. */
  linkerdVersion?: string;
  /** `proxy.image.version` from the values, when set. */
  proxyVersion?: string;
}

export interface IssuerCertificate {
  /** The Secret key it came from: `tls.crt` or `crt.pem`. */
  key: string;
  certificate: ParsedCertificate;
}

export interface ControlPlaneVersion {
  version: string;
  /** Where it was read: `linkerd-config` or `control-plane pods`. */
  source: string;
}

export interface CheckContext {
  reader: ControlPlaneReader;
  options: CheckOptions;
  /** The time certificates are judged at. */
  now: Date;
  /** Window of "recent" events, ms. */
  eventWindowMs: number;
  linkerdConfig(): Promise<LinkerdConfig>;
  controlPlanePods(): Promise<V1Pod[]>;
  trustAnchors(): Promise<ParsedCertificate[]>;
  issuer(): Promise<IssuerCertificate>;
  controlPlaneVersion(): Promise<ControlPlaneVersion | undefined>;
  /** Meshed pods (label linkerd.io/control-plane-ns) in the data-plane namespace, or every namespace. */
  dataPlanePods(): Promise<V1Pod[]>;
  /** What the reads above found, for evidence; only reads that ran and succeeded. */
  seen(): SeenObjects;
}

export interface SeenObjects {
  controlPlanePods?: V1Pod[];
  trustAnchors?: ParsedCertificate[];
  issuer?: IssuerCertificate;
  controlPlaneVersion?: ControlPlaneVersion;
}

interface Once<T> {
  (): Promise<T>;
  /** The value, once a call has resolved; undefined before or after a failure. */
  settled(): T | undefined;
}

function once<T>(fn: () => Promise<T>): Once<T> {
  let p: Promise<T> | undefined;
  let value: { v: T } | undefined;
  const get = (): Promise<T> =>
    (p ??= fn().then((v) => {
      value = { v };
      return v;
    }));
  return Object.assign(get, { settled: () => value?.v });
}

function decodeBase64(value: string): string {
  return Buffer.from(value, 'base64').toString('utf8');
}

export function createCheckContext(
  reader: ControlPlaneReader,
  options: CheckOptions,
  clock: { now?: Date; eventWindowMs?: number } = {},
): CheckContext {
  const ns = options.controlPlaneNamespace;

  const linkerdConfig = once(async (): Promise<LinkerdConfig> => {
    const cm = await reader.getConfigMap(ns, LINKERD_CONFIG);
    if (!cm) {
      throw new CheckProblem(
        `ConfigMap ${LINKERD_CONFIG} does not exist in namespace ${ns}`,
        `Is Linkerd installed in ${ns}? Reinstall or upgrade the control plane (linkerd install | kubectl apply -f -), or give the right namespace with --control-plane-namespace.`,
      );
    }
    const raw = cm.data?.['values'];
    let values: Record<string, unknown> = {};
    if (raw) {
      try {
        const parsed: unknown = parseYaml(raw);
        if (parsed && typeof parsed === 'object') values = parsed as Record<string, unknown>;
      } catch (err) {
        throw new CheckProblem(
          `ConfigMap ${LINKERD_CONFIG} has a "values" key that is not YAML: ${err instanceof Error ? err.message : String(err)}`,
          'Reinstall or upgrade the control plane so the config is rewritten.',
        );
      }
    }
    const config: LinkerdConfig = { configMap: cm, values };
    const version = values['linkerdVersion'];
    if (typeof version === 'string' && version) config.linkerdVersion = version;
    const proxy = values['proxy'] as { image?: { version?: unknown } } | undefined;
    const proxyVersion = proxy?.image?.version;
    if (typeof proxyVersion === 'string' && proxyVersion) config.proxyVersion = proxyVersion;
    return config;
  });

  const controlPlanePods = once(() => reader.listPods(ns, CONTROL_PLANE_COMPONENT_LABEL));

  const trustAnchors = once(async (): Promise<ParsedCertificate[]> => {
    const cm = await reader.getConfigMap(ns, TRUST_ROOTS_CONFIGMAP);
    if (!cm) {
      throw new CheckProblem(
        `ConfigMap ${TRUST_ROOTS_CONFIGMAP} does not exist in namespace ${ns}`,
        'The trust anchors are installed with the control plane (--identity-trust-anchors-file); reinstall or upgrade it.',
      );
    }
    const pem = cm.data?.[TRUST_ROOTS_KEY];
    if (!pem || pem.trim() === '') {
      throw new CheckProblem(
        `ConfigMap ${TRUST_ROOTS_CONFIGMAP} has no "${TRUST_ROOTS_KEY}" key`,
        `Put the PEM bundle of the trust anchors under "${TRUST_ROOTS_KEY}".`,
      );
    }
    try {
      return parsePemBundle(pem);
    } catch (err) {
      throw new CheckProblem(
        `trust anchors in ${TRUST_ROOTS_CONFIGMAP}/${TRUST_ROOTS_KEY}: ${err instanceof Error ? err.message : String(err)}`,
        'The bundle must hold PEM-encoded X.509 certificates.',
      );
    }
  });

  const issuer = once(async (): Promise<IssuerCertificate> => {
    const secret = await reader.getSecret(ns, ISSUER_SECRET);
    if (!secret) {
      throw new CheckProblem(
        `Secret ${ISSUER_SECRET} does not exist in namespace ${ns}`,
        'The issuer certificate is installed with the control plane or by cert-manager; reinstall it or check the Certificate resource.',
      );
    }
    const key = ['tls.crt', 'crt.pem'].find((k) => secret.data?.[k]);
    if (!key) {
      throw new CheckProblem(
        `Secret ${ISSUER_SECRET} has neither "tls.crt" nor "crt.pem"`,
        'A kubernetes.io/tls Secret holds tls.crt and tls.key; the legacy form holds crt.pem and key.pem.',
      );
    }
    try {
      const [certificate] = parsePemBundle(decodeBase64(secret.data![key]!));
      return { key, certificate: certificate! };
    } catch (err) {
      throw new CheckProblem(
        `issuer certificate in ${ISSUER_SECRET}/${key}: ${err instanceof Error ? err.message : String(err)}`,
        'The key must hold a PEM-encoded X.509 certificate.',
      );
    }
  });

  const controlPlaneVersion = once(async (): Promise<ControlPlaneVersion | undefined> => {
    try {
      const config = await linkerdConfig();
      const version = config.proxyVersion ?? config.linkerdVersion;
      if (version) return { version, source: LINKERD_CONFIG };
    } catch (err) {
      // Absent or unreadable linkerd-config: the pods say. Kubernetes refusing or failing to
      // answer (a 403, a timeout) is not a reason to guess: it is reported.
      if (!(err instanceof CheckProblem)) throw err;
    }
    const pods = await controlPlanePods();
    const counts = new Map<string, number>();
    for (const pod of pods) {
      const v = pod.metadata?.annotations?.[PROXY_VERSION_ANNOTATION];
      if (v) counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    const [top] = [...counts.entries()].sort((a, b) => b[1] - a[1]);
    return top ? { version: top[0], source: 'control-plane pods' } : undefined;
  });

  const dataPlanePods = once(() => reader.listPods(options.namespace, `${CONTROL_PLANE_NS_LABEL}=${ns}`));

  return {
    reader,
    options,
    now: clock.now ?? new Date(),
    eventWindowMs: clock.eventWindowMs ?? 15 * 60_000,
    linkerdConfig,
    controlPlanePods,
    trustAnchors,
    issuer,
    controlPlaneVersion,
    dataPlanePods,
    seen() {
      const seen: SeenObjects = {};
      const pods = controlPlanePods.settled();
      if (pods) seen.controlPlanePods = pods;
      const anchors = trustAnchors.settled();
      if (anchors) seen.trustAnchors = anchors;
      const iss = issuer.settled();
      if (iss) seen.issuer = iss;
      const version = controlPlaneVersion.settled();
      if (version) seen.controlPlaneVersion = version;
      return seen;
    },
  };
}
