import type { V1ConfigMap, V1Pod, V1Secret } from '@kubernetes/client-node';
import type { ControlPlaneReader } from '../../../../src/adapters/kube/control-plane-reader.js';
import { generateIdentity } from '../../../../src/sandbox/scenario/generate-identity.js';
import { CheckProblem, createCheckContext } from '../../../../src/steps/check/check-context.js';

/** A ControlPlaneReader over fixed objects (the interface is ours; the sandbox tests use the real one). */
function reader(objects: {
  configMaps?: Record<string, V1ConfigMap>;
  secrets?: Record<string, V1Secret>;
  pods?: V1Pod[];
}): ControlPlaneReader {
  const none = async (): Promise<never[]> => [];
  return {
    server: 'memory',
    serverVersion: async () => ({ gitVersion: 'v1.31.0' }) as never,
    getNamespace: async () => undefined,
    getConfigMap: async (_ns, name) => objects.configMaps?.[name],
    getSecret: async (_ns, name) => objects.secrets?.[name],
    listPods: async () => objects.pods ?? [],
    listDeployments: none,
    listEvents: none,
    listCustomResourceDefinitions: none,
    listMutatingWebhookConfigurations: none,
  };
}

const options = { controlPlaneNamespace: 'linkerd', proxy: false };
const b64 = (s: string): string => Buffer.from(s).toString('base64');

describe('check context reads', () => {
  it('reads the issuer from crt.pem (the legacy Secret form) as well as tls.crt', async () => {
    const id = await generateIdentity();
    const ctx = createCheckContext(
      reader({
        secrets: {
          'linkerd-identity-issuer': {
            data: { 'crt.pem': b64(id.issuerCertPem), 'key.pem': b64(id.issuerKeyPem) },
          },
        },
      }),
      options,
    );
    const issuer = await ctx.issuer();
    expect(issuer.key).toBe('crt.pem');
    expect(issuer.certificate.subject).toBe('identity.linkerd.cluster.local');
    expect(ctx.seen().issuer).toBe(issuer);
  });

  it('makes missing objects and keys CheckProblems with a hint', async () => {
    const ctx = createCheckContext(
      reader({
        configMaps: { 'linkerd-identity-trust-roots': { data: {} } },
        secrets: { 'linkerd-identity-issuer': { data: { 'ca.crt': 'eA==' } } },
      }),
      options,
    );
    await expect(ctx.trustAnchors()).rejects.toThrow(
      new CheckProblem('ConfigMap linkerd-identity-trust-roots has no "ca-bundle.crt" key'),
    );
    await expect(ctx.issuer()).rejects.toThrow(
      'Secret linkerd-identity-issuer has neither "tls.crt" nor "crt.pem"',
    );
    await expect(ctx.linkerdConfig()).rejects.toBeInstanceOf(CheckProblem);
    expect(ctx.seen()).toEqual({});
  });

  it('takes the control-plane version from proxy.image.version, then linkerdVersion, then the control-plane pods', async () => {
    const config = (values: string): Record<string, V1ConfigMap> => ({
      'linkerd-config': { data: { values } },
    });
    const pod = (v: string): V1Pod => ({ metadata: { annotations: { 'linkerd.io/proxy-version': v } } });
    const version = (objects: Parameters<typeof reader>[0]) =>
      createCheckContext(reader(objects), options).controlPlaneVersion();
    expect(
      await version({
        configMaps: config('linkerdVersion: edge-26.8.3\nproxy:\n  image:\n    version: edge-26.8.2\n'),
      }),
    ).toEqual({
      version: 'edge-26.8.2',
      source: 'linkerd-config',
    });
    expect(await version({ configMaps: config('linkerdVersion: edge-26.8.3\n') })).toEqual({
      version: 'edge-26.8.3',
      source: 'linkerd-config',
    });
    expect(
      await version({ pods: [pod('stable-2.14.10'), pod('stable-2.14.10'), pod('stable-2.14.9')] }),
    ).toEqual({
      version: 'stable-2.14.10',
      source: 'control-plane pods',
    });
    expect(await version({})).toBeUndefined();
  });

  it('reports Kubernetes refusing linkerd-config instead of guessing the version from the pods', async () => {
    // Regression: a 403 on linkerd-config was swallowed and the pods' version used, so `sweep`
    // ran without a permission the shipped RBAC grants it and nothing said so.
    const refused = new Error(
      'Kubernetes forbids ... to get configmaps: RBAC permission "get" on "configmaps" is missing',
    );
    const ctx = createCheckContext(
      {
        ...reader({
          pods: [{ metadata: { annotations: { 'linkerd.io/proxy-version': 'stable-2.14.10' } } }],
        }),
        getConfigMap: async () => {
          throw refused;
        },
      },
      options,
    );
    await expect(ctx.controlPlaneVersion()).rejects.toBe(refused);
  });

  it('reads each object once per run, however many checks ask', async () => {
    let calls = 0;
    const r = reader({});
    const counting: ControlPlaneReader = {
      ...r,
      listPods: async (...args) => (calls++, r.listPods(...args)),
    };
    const ctx = createCheckContext(counting, options);
    await Promise.all([ctx.controlPlanePods(), ctx.controlPlanePods(), ctx.controlPlaneVersion()]);
    expect(calls).toBe(1);
  });
});
