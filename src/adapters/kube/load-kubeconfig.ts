import { KubeConfig } from '@kubernetes/client-node';
import { existsSync } from 'node:fs';
import { delimiter } from 'node:path';
import { MeshbotError } from '../../errors.js';
import { kubeconfigSource } from './kubeconfig-source.js';

export interface LoadedKubeConfig {
  kubeConfig: KubeConfig;
  /** Where it came from: a file path, or `in-cluster`. */
  source: string;
  inCluster: boolean;
  context: string;
  server: string;
}

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

function loadFile(kc: KubeConfig, file: string, what: string): void {
  if (!existsSync(file)) {
    throw new MeshbotError(
      'config',
      `${what} ${file} does not exist`,
      'Give an existing kubeconfig with --kubeconfig.',
    );
  }
  try {
    kc.loadFromFile(file);
  } catch (err) {
    throw new MeshbotError(
      'config',
      `${what} ${file} could not be read: ${err instanceof Error ? err.message : String(err)}`,
      'Check that it is a valid kubeconfig (kubectl config view --kubeconfig FILE).',
      { cause: err },
    );
  }
}

/**
 * Loads Kubernetes credentials the way kubectl does: `--kubeconfig`, then `KUBECONFIG` (a list
 * of files, merged), then `~/.kube/config`, then the in-cluster service account. `--context`
 * picks a context; an unknown one is a config error that lists the known ones.
 */
export function loadKubeConfig(
  options: { kubeconfig?: string; context?: string; inCluster?: boolean },
  env: NodeJS.ProcessEnv = process.env,
): LoadedKubeConfig {
  if (options.inCluster) return loadInCluster(env);
  const kc = new KubeConfig();
  let source: string;
  let inCluster = false;
  const from = kubeconfigSource(options, env);
  if (from.kind === 'flag') {
    loadFile(kc, from.file, 'kubeconfig');
    source = from.file;
  } else if (from.kind === 'env') {
    const [first, ...more] = from.files;
    if (first === undefined) {
      throw new MeshbotError(
        'config',
        `KUBECONFIG names no existing file (${from.listed.join(delimiter)})`,
        'Point KUBECONFIG at a kubeconfig, or pass --kubeconfig.',
      );
    }
    loadFile(kc, first, 'KUBECONFIG file');
    for (const file of more) {
      const other = new KubeConfig();
      loadFile(other, file, 'KUBECONFIG file');
      kc.mergeConfig(other, true);
    }
    source = from.files.join(delimiter);
  } else if (from.kind === 'home') {
    loadFile(kc, from.file, 'kubeconfig');
    source = from.file;
  } else if (env['KUBERNETES_SERVICE_HOST'] && existsSync(SERVICE_ACCOUNT_TOKEN)) {
    kc.loadFromCluster();
    source = 'in-cluster';
    inCluster = true;
  } else {
    throw new MeshbotError(
      'config',
      'no Kubernetes credentials found: no --kubeconfig, no KUBECONFIG, no ~/.kube/config, and not running in a cluster',
      'Pass --kubeconfig FILE (the sandbox prints one), or set KUBECONFIG.',
    );
  }
  if (options.context) {
    if (!kc.getContextObject(options.context)) {
      const known = kc.getContexts().map((c) => c.name);
      throw new MeshbotError(
        'config',
        `context "${options.context}" is not in ${source}`,
        known.length ? `Known contexts: ${known.join(', ')}.` : 'That kubeconfig has no contexts.',
      );
    }
    kc.setCurrentContext(options.context);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) {
    throw new MeshbotError(
      'config',
      `the kubeconfig ${source} has no current context with a cluster`,
      'Pick one with --context NAME, or set current-context in the kubeconfig.',
    );
  }
  return {
    kubeConfig: kc,
    source,
    inCluster,
    context: inCluster ? 'in-cluster' : kc.getCurrentContext(),
    server: cluster.server,
  };
}

/** The pod's ServiceAccount credentials (a cluster configured `inCluster: true`). */
function loadInCluster(env: NodeJS.ProcessEnv): LoadedKubeConfig {
  if (!env['KUBERNETES_SERVICE_HOST'] || !existsSync(SERVICE_ACCOUNT_TOKEN)) {
    throw new MeshbotError(
      'config',
      'a cluster is configured inCluster, but meshbot is not running in a Kubernetes pod with a ServiceAccount token',
      'Give that cluster a kubeconfig and context instead (docs/clusters.md).',
    );
  }
  const kc = new KubeConfig();
  kc.loadFromCluster();
  return {
    kubeConfig: kc,
    source: 'in-cluster',
    inCluster: true,
    context: 'in-cluster',
    server: kc.getCurrentCluster()?.server ?? '',
  };
}
