import {
  compareLinkerdVersions,
  evaluateKubeVersion,
  parseKubeVersion,
  parseLinkerdVersion,
} from '../../../../src/steps/check/versions.js';

describe('Kubernetes version range', () => {
  it('reads provider-specific gitVersions and falls back to major/minor', () => {
    expect(parseKubeVersion({ gitVersion: 'v1.31.2+k3s1' })).toEqual([1, 31, 2]);
    expect(parseKubeVersion({ gitVersion: 'v1.29.3-gke.1093000' })).toEqual([1, 29, 3]);
    expect(parseKubeVersion({ gitVersion: '', major: '1', minor: '30+' })).toEqual([1, 30, 0]);
    expect(parseKubeVersion({ gitVersion: 'weird' })).toBeUndefined();
  });

  it('fails below 1.23, warns from 1.23 to 1.30, passes from 1.31', () => {
    expect(evaluateKubeVersion({ gitVersion: 'v1.22.17' })).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/1\.22\.17, but 1\.23\.0 or newer is required/),
    });
    expect(evaluateKubeVersion({ gitVersion: 'v1.23.0' }).status).toBe('warn');
    expect(evaluateKubeVersion({ gitVersion: 'v1.30.9' })).toMatchObject({
      status: 'warn',
      message: expect.stringMatching(/Linkerd 2\.20 and newer need 1\.31\.0/),
    });
    expect(evaluateKubeVersion({ gitVersion: 'v1.31.0' }).status).toBe('pass');
    expect(evaluateKubeVersion({ gitVersion: 'v1.34.1' }).status).toBe('pass');
    expect(evaluateKubeVersion({ gitVersion: '?' }).status).toBe('warn');
  });
});

describe('Linkerd versions', () => {
  it('parses channels and numbers', () => {
    expect(parseLinkerdVersion('edge-26.8.3')).toMatchObject({ channel: 'edge', numbers: [26, 8, 3] });
    expect(parseLinkerdVersion('stable-2.14.10')).toMatchObject({ channel: 'stable', numbers: [2, 14, 10] });
    expect(parseLinkerdVersion('v2.20.0')).toMatchObject({ channel: '', numbers: [2, 20, 0] });
    expect(parseLinkerdVersion('dev-abc')).toBeUndefined();
  });

  it('compares a proxy with the control plane: same, older, newer, different', () => {
    expect(compareLinkerdVersions('edge-26.8.3', 'edge-26.8.3')).toBe('same');
    expect(compareLinkerdVersions('edge-26.5.1', 'edge-26.8.3')).toBe('older');
    expect(compareLinkerdVersions('edge-26.10.1', 'edge-26.8.3')).toBe('newer');
    expect(compareLinkerdVersions('stable-2.14.10', 'stable-2.14.9')).toBe('newer');
    expect(compareLinkerdVersions('stable-2.14.10', 'edge-26.8.3')).toBe('different');
    expect(compareLinkerdVersions('dev-abc', 'edge-26.8.3')).toBe('different');
  });
});
