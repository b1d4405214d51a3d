/**
 * The Linkerd control plane objects a scenario's `linkerd` block creates, shaped as the
 * Helm chart installs them and as `linkerd check` reads them: the namespace; deployments
 * linkerd-destination, linkerd-identity and linkerd-proxy-injector (pods labelled
 * `linkerd.io/control-plane-component` and `linkerd.io/control-plane-ns`, meshed); their
 * services; ConfigMaps linkerd-config and linkerd-identity-trust-roots; Secret
 * linkerd-identity-issuer; the CRDs; the webhook configurations.
 */
import YAML from 'yaml';
import type { KubeObject } from '../kube/store-types.js';
import { LINKERD } from '../cluster/simulation-annotations.js';
import {
  DEFAULT_LINKERD_CRDS,
  LINKERD_CRDS,
  type ScenarioLinkerd,
  type ScenarioPodBehaviour,
} from './scenario-schema.js';
import { behaviourAnnotations, podTemplate } from './workload-objects.js';

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

interface ComponentSpec {
  component: 'destination' | 'identity' | 'proxy-injector';
  key: 'destination' | 'identity' | 'proxyInjector';
  containers: Array<{ name: string; ports: Array<{ name: string; port: number }> }>;
}

const COMPONENTS: ComponentSpec[] = [
  {
    component: 'destination',
    key: 'destination',
    containers: [
      {
        name: 'destination',
        ports: [
          { name: 'grpc', port: 8086 },
          { name: 'admin-http', port: 9996 },
        ],
      },
      {
        name: 'sp-validator',
        ports: [
          { name: 'sp-validator', port: 8443 },
          { name: 'sp-admin', port: 9997 },
        ],
      },
      {
        name: 'policy',
        ports: [
          { name: 'policy-grpc', port: 8090 },
          { name: 'policy-admin', port: 9990 },
          { name: 'policy-https', port: 9443 },
        ],
      },
    ],
  },
  {
    component: 'identity',
    key: 'identity',
    containers: [
      {
        name: 'identity',
        ports: [
          { name: 'grpc', port: 8080 },
          { name: 'admin-http', port: 9990 },
        ],
      },
    ],
  },
  {
    component: 'proxy-injector',
    key: 'proxyInjector',
    containers: [
      {
        name: 'proxy-injector',
        ports: [
          { name: 'proxy-injector', port: 8443 },
          { name: 'admin-http', port: 9995 },
        ],
      },
    ],
  },
];

const CRD_NAMES: Record<
  (typeof LINKERD_CRDS)[number],
  { kind: string; shortNames?: string[]; versions: string[] }
> = {
  'serviceprofiles.linkerd.io': { kind: 'ServiceProfile', shortNames: ['sp'], versions: ['v1alpha2'] },
  'servers.policy.linkerd.io': { kind: 'Server', shortNames: ['srv'], versions: ['v1beta1', 'v1beta2'] },
  'serverauthorizations.policy.linkerd.io': {
    kind: 'ServerAuthorization',
    shortNames: ['saz'],
    versions: ['v1beta1'],
  },
  'authorizationpolicies.policy.linkerd.io': { kind: 'AuthorizationPolicy', versions: ['v1alpha1'] },
  'meshtlsauthentications.policy.linkerd.io': { kind: 'MeshTLSAuthentication', versions: ['v1alpha1'] },
  'networkauthentications.policy.linkerd.io': { kind: 'NetworkAuthentication', versions: ['v1alpha1'] },
  'httproutes.policy.linkerd.io': {
    kind: 'HTTPRoute',
    versions: ['v1alpha1', 'v1beta1', 'v1beta2', 'v1beta3'],
  },
  'httproutes.gateway.networking.k8s.io': { kind: 'HTTPRoute', versions: ['v1alpha2', 'v1beta1', 'v1'] },
  'grpcroutes.gateway.networking.k8s.io': { kind: 'GRPCRoute', versions: ['v1alpha2', 'v1'] },
};

export function crdObject(name: (typeof LINKERD_CRDS)[number], ns: string, version: string): KubeObject {
  const [plural, ...groupParts] = name.split('.');
  const info = CRD_NAMES[name];
  const singular = info.kind.toLowerCase();
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name,
      labels: { 'linkerd.io/control-plane-ns': ns, 'helm.sh/chart': `linkerd-crds-${version}` },
      annotations: { [LINKERD.createdBy]: `linkerd/helm ${version}` },
    },
    spec: {
      group: groupParts.join('.'),
      scope: 'Namespaced',
      names: {
        plural,
        singular,
        kind: info.kind,
        listKind: `${info.kind}List`,
        ...(info.shortNames ? { shortNames: info.shortNames } : {}),
      },
      versions: info.versions.map((v, i) => ({
        name: v,
        served: true,
        storage: i === info.versions.length - 1,
        schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
      })),
    },
    status: {
      acceptedNames: { plural, singular, kind: info.kind, listKind: `${info.kind}List` },
      storedVersions: [info.versions[info.versions.length - 1]],
      conditions: [
        {
          type: 'NamesAccepted',
          status: 'True',
          reason: 'NoConflicts',
          message: 'no conflicts found',
          lastTransitionTime: now,
        },
        {
          type: 'Established',
          status: 'True',
          reason: 'InitialNamesAccepted',
          message: 'the initial names have been accepted',
          lastTransitionTime: now,
        },
      ],
    },
  };
}

function componentDeployment(
  l: ScenarioLinkerd,
  c: ComponentSpec,
  b: ScenarioPodBehaviour | undefined,
): KubeObject {
  const name = `linkerd-${c.component}`;
  const selector = {
    [LINKERD.controlPlaneComponent]: c.component,
    [LINKERD.controlPlaneNs]: l.namespace,
    'linkerd.io/proxy-deployment': name,
  };
  const labels = { ...selector, [LINKERD.workloadNs]: l.namespace };
  const behaviour: ScenarioPodBehaviour = b ?? { replicas: 1, neverReady: false, crashLoop: false };
  const template = podTemplate({
    labels,
    annotations: {
      [LINKERD.inject]: 'enabled',
      [LINKERD.createdBy]: `linkerd/helm ${l.version}`,
      ...behaviourAnnotations(behaviour),
    },
    serviceAccount: name,
    containers: c.containers.map((k) => ({
      name: k.name,
      image: `cr.l5d.io/linkerd/${k.name === 'policy' ? 'policy-controller' : 'controller'}:${l.version}`,
      ports: k.ports,
    })),
  });
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name,
      namespace: l.namespace,
      labels: {
        'app.kubernetes.io/name': c.component,
        'app.kubernetes.io/part-of': 'Linkerd',
        'app.kubernetes.io/version': l.version,
        [LINKERD.controlPlaneComponent]: c.component,
        [LINKERD.controlPlaneNs]: l.namespace,
      },
      annotations: { [LINKERD.createdBy]: `linkerd/helm ${l.version}` },
    },
    spec: { replicas: behaviour.replicas, selector: { matchLabels: selector }, template },
  };
}

function service(
  l: ScenarioLinkerd,
  name: string,
  component: string,
  ports: Array<{ name: string; port: number; targetPort: number | string }>,
  headless = false,
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace: l.namespace,
      labels: { [LINKERD.controlPlaneComponent]: component, [LINKERD.controlPlaneNs]: l.namespace },
      annotations: { [LINKERD.createdBy]: `linkerd/helm ${l.version}` },
    },
    spec: {
      type: 'ClusterIP',
      ...(headless ? { clusterIP: 'None' } : {}),
      selector: { [LINKERD.controlPlaneComponent]: component },
      ports: ports.map((p) => ({ ...p, protocol: 'TCP' })),
    },
  };
}

function tlsSecret(
  ns: string,
  name: string,
  certPem: string | undefined,
  keyPem: string | undefined,
  caPem?: string,
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: ns, labels: { [LINKERD.controlPlaneNs]: ns } },
    type: 'kubernetes.io/tls',
    data: {
      'tls.crt': certPem ? b64(certPem) : '',
      'tls.key': keyPem ? b64(keyPem) : '',
      ...(caPem ? { 'ca.crt': b64(caPem) } : {}),
    },
  };
}

function webhookClientConfig(l: ScenarioLinkerd, svc: string, path: string): Record<string, unknown> {
  const ca = l.webhook?.caBundlePem ?? l.webhook?.certPem;
  return { service: { name: svc, namespace: l.namespace, path }, ...(ca ? { caBundle: b64(ca) } : {}) };
}

const NAMESPACE_SELECTOR = {
  matchExpressions: [
    { key: 'config.linkerd.io/admission-webhooks', operator: 'NotIn', values: ['disabled'] },
    { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'cert-manager'] },
  ],
};

export function linkerdControlPlaneObjects(l: ScenarioLinkerd): KubeObject[] {
  const ns = l.namespace;
  const objects: KubeObject[] = [];
  objects.push({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: ns,
      labels: {
        'linkerd.io/is-control-plane': 'true',
        'config.linkerd.io/admission-webhooks': 'disabled',
        [LINKERD.controlPlaneNs]: ns,
      },
      annotations: { [LINKERD.inject]: 'disabled' },
    },
  });
  for (const name of l.crds ?? DEFAULT_LINKERD_CRDS) objects.push(crdObject(name, ns, l.version));

  const values = {
    linkerdVersion: l.version,
    clusterDomain: l.clusterDomain,
    identityTrustDomain: l.clusterDomain,
    identityTrustAnchorsPEM: l.trustAnchorsPem ?? '',
    controllerReplicas: l.components.destination?.replicas ?? 1,
    controllerImage: 'cr.l5d.io/linkerd/controller',
    proxy: {
      image: { name: 'cr.l5d.io/linkerd/proxy', version: l.version },
      adminPort: 4191,
      inboundPort: 4143,
    },
    proxyInit: { image: { name: 'cr.l5d.io/linkerd/proxy-init', version: 'v2.2.3' } },
    identity: { issuer: { scheme: 'linkerd.io/tls' } },
    namespace: ns,
  };
  objects.push({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'linkerd-config',
      namespace: ns,
      labels: { [LINKERD.controlPlaneComponent]: 'controller', [LINKERD.controlPlaneNs]: ns },
      annotations: { [LINKERD.createdBy]: `linkerd/helm ${l.version}` },
    },
    data: { values: YAML.stringify(values) },
  });
  objects.push({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'linkerd-identity-trust-roots',
      namespace: ns,
      labels: { [LINKERD.controlPlaneComponent]: 'identity', [LINKERD.controlPlaneNs]: ns },
      annotations: { [LINKERD.createdBy]: `linkerd/helm ${l.version}` },
    },
    data: l.trustAnchorsPem ? { 'ca-bundle.crt': l.trustAnchorsPem } : {},
  });
  objects.push(
    tlsSecret(ns, 'linkerd-identity-issuer', l.issuer?.certPem, l.issuer?.keyPem, l.trustAnchorsPem),
  );
  for (const name of [
    'linkerd-proxy-injector-k8s-tls',
    'linkerd-sp-validator-k8s-tls',
    'linkerd-policy-validator-k8s-tls',
  ]) {
    objects.push(tlsSecret(ns, name, l.webhook?.certPem, l.webhook?.keyPem));
  }

  for (const c of COMPONENTS) objects.push(componentDeployment(l, c, l.components[c.key]));

  objects.push(
    service(l, 'linkerd-dst', 'destination', [{ name: 'grpc', port: 8086, targetPort: 8086 }]),
    service(l, 'linkerd-dst-headless', 'destination', [{ name: 'grpc', port: 8086, targetPort: 8086 }], true),
    service(l, 'linkerd-sp-validator', 'destination', [
      { name: 'sp-validator', port: 443, targetPort: 'sp-validator' },
    ]),
    service(l, 'linkerd-policy', 'destination', [{ name: 'grpc', port: 8090, targetPort: 8090 }], true),
    service(l, 'linkerd-policy-validator', 'destination', [
      { name: 'policy-https', port: 443, targetPort: 'policy-https' },
    ]),
    service(l, 'linkerd-identity', 'identity', [{ name: 'grpc', port: 8080, targetPort: 8080 }]),
    service(
      l,
      'linkerd-identity-headless',
      'identity',
      [{ name: 'grpc', port: 8080, targetPort: 8080 }],
      true,
    ),
    service(l, 'linkerd-proxy-injector', 'proxy-injector', [
      { name: 'proxy-injector', port: 443, targetPort: 'proxy-injector' },
    ]),
  );

  objects.push({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: {
      name: 'linkerd-proxy-injector-webhook-config',
      labels: { [LINKERD.controlPlaneComponent]: 'proxy-injector', [LINKERD.controlPlaneNs]: ns },
    },
    webhooks: [
      {
        name: 'linkerd-proxy-injector.linkerd.io',
        clientConfig: webhookClientConfig(l, 'linkerd-proxy-injector', '/'),
        failurePolicy: 'Ignore',
        admissionReviewVersions: ['v1', 'v1beta1'],
        sideEffects: 'None',
        reinvocationPolicy: 'Never',
        timeoutSeconds: 10,
        namespaceSelector: NAMESPACE_SELECTOR,
        objectSelector: {
          matchExpressions: [{ key: 'linkerd.io/control-plane-component', operator: 'DoesNotExist' }],
        },
        rules: [
          {
            operations: ['CREATE'],
            apiGroups: [''],
            apiVersions: ['v1'],
            resources: ['pods', 'services'],
            scope: 'Namespaced',
          },
        ],
      },
    ],
  });
  objects.push({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: {
      name: 'linkerd-sp-validator-webhook-config',
      labels: { [LINKERD.controlPlaneComponent]: 'sp-validator', [LINKERD.controlPlaneNs]: ns },
    },
    webhooks: [
      {
        name: 'linkerd-sp-validator.linkerd.io',
        clientConfig: webhookClientConfig(l, 'linkerd-sp-validator', '/'),
        failurePolicy: 'Fail',
        admissionReviewVersions: ['v1', 'v1beta1'],
        sideEffects: 'None',
        namespaceSelector: NAMESPACE_SELECTOR,
        rules: [
          {
            operations: ['CREATE', 'UPDATE'],
            apiGroups: ['linkerd.io'],
            apiVersions: ['v1alpha1', 'v1alpha2'],
            resources: ['serviceprofiles'],
          },
        ],
      },
    ],
  });
  objects.push({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: {
      name: 'linkerd-policy-validator-webhook-config',
      labels: { [LINKERD.controlPlaneComponent]: 'destination', [LINKERD.controlPlaneNs]: ns },
    },
    webhooks: [
      {
        name: 'linkerd-policy-validator.linkerd.io',
        clientConfig: webhookClientConfig(l, 'linkerd-policy-validator', '/'),
        failurePolicy: 'Fail',
        admissionReviewVersions: ['v1', 'v1beta1'],
        sideEffects: 'None',
        namespaceSelector: NAMESPACE_SELECTOR,
        rules: [
          {
            operations: ['CREATE', 'UPDATE'],
            apiGroups: ['policy.linkerd.io'],
            apiVersions: ['*'],
            resources: [
              'authorizationpolicies',
              'httproutes',
              'networkauthentications',
              'meshtlsauthentications',
              'serverauthorizations',
              'servers',
            ],
          },
        ],
      },
    ],
  });
  return objects;
}
