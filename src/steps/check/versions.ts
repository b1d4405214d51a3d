/**
 * Version arithmetic for `check`: the Kubernetes server version against the range Linkerd
 * supports, and Linkerd release versions (`stable-2.14.10`, `edge-26.8.3`, `enterprise-2.17.1`)
 * for proxy drift.
 */

/**
 * The Kubernetes versions meshbot's check accepts, from linkerd2's `pkg/k8s/api.go`
 * (`minAPIVersion`): Linkerd 2.19 (Oct 2025) needs Kubernetes 1.23 or newer; Linkerd 2.20 and
 * edge-26.5 onwards (April 2026) need 1.31. Below `min` fails (no supported Linkerd runs
 * there); between `min` and `current` warns (only older Linkerd releases run there).
 */
export const KUBERNETES_VERSION_RANGE = {
  min: [1, 23, 0],
  current: [1, 31, 0],
} as const;

export type VersionTuple = readonly [number, number, number];

export interface KubeVersionInfo {
  gitVersion?: string;
  major?: string;
  minor?: string;
}

/** `v1.31.2+k3s1` -> [1, 31, 2]; falls back to major/minor (`31+` on some providers). */
export function parseKubeVersion(info: KubeVersionInfo): VersionTuple | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(info.gitVersion ?? '');
  if (m) return [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  const major = Number.parseInt(info.major ?? '', 10);
  const minor = Number.parseInt(info.minor ?? '', 10);
  if (Number.isFinite(major) && Number.isFinite(minor)) return [major, minor, 0];
  return undefined;
}

export function compareTuples(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

export function formatTuple(v: readonly number[]): string {
  return v.join('.');
}

export type KubeVersionVerdict =
  | { status: 'pass'; version: VersionTuple }
  | { status: 'warn' | 'fail'; version?: VersionTuple; message: string };

export function evaluateKubeVersion(
  info: KubeVersionInfo,
  range: { min: readonly number[]; current: readonly number[] } = KUBERNETES_VERSION_RANGE,
): KubeVersionVerdict {
  const version = parseKubeVersion(info);
  if (!version) {
    return {
      status: 'warn',
      message: `cannot read the Kubernetes version from "${info.gitVersion ?? ''}"`,
    };
  }
  if (compareTuples(version, range.min) < 0) {
    return {
      status: 'fail',
      version,
      message: `Kubernetes is on version ${formatTuple(version)}, but ${formatTuple(range.min)} or newer is required by every supported Linkerd release`,
    };
  }
  if (compareTuples(version, range.current) < 0) {
    return {
      status: 'warn',
      version,
      message: `Kubernetes is on version ${formatTuple(version)}; Linkerd 2.20 and newer need ${formatTuple(range.current)} or newer`,
    };
  }
  return { status: 'pass', version };
}

export interface LinkerdVersion {
  raw: string;
  /** `stable`, `edge`, `enterprise`, or `` for a bare `v2.x.y`. */
  channel: string;
  numbers: number[];
}

/** `edge-26.8.3` -> { channel: edge, numbers: [26, 8, 3] }; undefined when it has no numbers. */
export function parseLinkerdVersion(raw: string): LinkerdVersion | undefined {
  const m = /^(?:([a-z]+)-)?v?(\d+(?:\.\d+)*)/.exec(raw.trim());
  if (!m) return undefined;
  return { raw, channel: m[1] ?? '', numbers: m[2]!.split('.').map(Number) };
}

export type VersionDrift = 'same' | 'older' | 'newer' | 'different';

/** How `proxy` relates to `controlPlane`; `different` when channels differ or either cannot be read. */
export function compareLinkerdVersions(proxy: string, controlPlane: string): VersionDrift {
  if (proxy === controlPlane) return 'same';
  const p = parseLinkerdVersion(proxy);
  const c = parseLinkerdVersion(controlPlane);
  if (!p || !c || p.channel !== c.channel) return 'different';
  const cmp = compareTuples(p.numbers, c.numbers);
  return cmp === 0 ? 'same' : cmp < 0 ? 'older' : 'newer';
}
