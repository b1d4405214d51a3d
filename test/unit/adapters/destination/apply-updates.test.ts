import {
  addressesOf,
  applyUpdate,
  decodeUpdate,
  emptyEndpointSet,
} from '../../../../src/adapters/destination/apply-updates.js';
import { ipv4ToUint32, ipv6ToHalves } from '../../../../src/adapters/destination/decode-ip.js';

const v4 = (ip: string, port: number) => ({ ip: { ip: 'ipv4', ipv4: ipv4ToUint32(ip) }, port });

function addMsg(...addrs: Array<[string, number, string?]>) {
  return {
    update: 'add',
    add: {
      addrs: addrs.map(([ip, port, pod]) => ({
        addr: v4(ip, port),
        weight: 10000,
        metric_labels: pod ? { pod, deployment: 'web' } : {},
        tls_identity: {
          strategy: 'dns_like_identity',
          dns_like_identity: { name: 'web.emojivoto.serviceaccount.identity.linkerd.cluster.local' },
        },
        protocol_hint: { protocol: 'h2', h2: {}, opaque_transport: { inbound_port: 4143 } },
      })),
      metric_labels: { namespace: 'emojivoto', service: 'web-svc' },
    },
  };
}
const removeMsg = (...addrs: Array<[string, number]>) => ({
  update: 'remove',
  remove: { addrs: addrs.map(([ip, port]) => v4(ip, port)) },
});

describe('decodeUpdate', () => {
  it('decodes an add with labels, weight, identity and protocol hint', () => {
    const u = decodeUpdate(addMsg(['10.0.0.1', 8080, 'web-1']));
    expect(u).toEqual({
      kind: 'add',
      setLabels: { namespace: 'emojivoto', service: 'web-svc' },
      addresses: [
        {
          address: '10.0.0.1:8080',
          ip: '10.0.0.1',
          port: 8080,
          weight: 10000,
          labels: { pod: 'web-1', deployment: 'web' },
          identity: 'web.emojivoto.serviceaccount.identity.linkerd.cluster.local',
          protocolHint: 'h2',
          opaqueTransportPort: 4143,
        },
      ],
    });
  });
  it('decodes IPv6 addresses', () => {
    const { first, last } = ipv6ToHalves('fd00::7');
    const u = decodeUpdate({ add: { addrs: [{ addr: { ip: { ipv6: { first, last } }, port: 80 } }] } });
    expect(u?.kind === 'add' && u.addresses[0]?.address).toBe('[fd00::7]:80');
  });
  it('decodes remove and no_endpoints (exists defaults to false when omitted)', () => {
    expect(decodeUpdate(removeMsg(['10.0.0.1', 8080]))).toEqual({
      kind: 'remove',
      addresses: ['10.0.0.1:8080'],
    });
    expect(decodeUpdate({ no_endpoints: { exists: true } })).toEqual({ kind: 'no_endpoints', exists: true });
    expect(decodeUpdate({ no_endpoints: {} })).toEqual({ kind: 'no_endpoints', exists: false });
  });
  it('ignores messages it cannot read', () => {
    expect(decodeUpdate({})).toBeUndefined();
    expect(decodeUpdate('nonsense')).toBeUndefined();
  });
});

describe('applyUpdate', () => {
  const apply = (...messages: unknown[]) => {
    const state = emptyEndpointSet();
    for (const m of messages) {
      const u = decodeUpdate(m);
      if (u) applyUpdate(state, u);
    }
    return state;
  };

  it('applies add, remove and no_endpoints in order', () => {
    const s = apply(
      addMsg(['10.0.0.2', 80], ['10.0.0.1', 80]),
      removeMsg(['10.0.0.2', 80]),
      addMsg(['10.0.0.3', 80]),
    );
    expect(addressesOf(s).map((a) => a.address)).toEqual(['10.0.0.1:80', '10.0.0.3:80']);
    expect(s.noEndpoints).toBeUndefined();
  });
  it('no_endpoints clears the set, a later add restores it', () => {
    const cleared = apply(addMsg(['10.0.0.1', 80]), { no_endpoints: { exists: true } });
    expect(cleared.addresses.size).toBe(0);
    expect(cleared.noEndpoints).toEqual({ exists: true });
    const again = apply(
      addMsg(['10.0.0.1', 80]),
      { no_endpoints: { exists: true } },
      addMsg(['10.0.0.9', 80]),
    );
    expect(addressesOf(again).map((a) => a.address)).toEqual(['10.0.0.9:80']);
    expect(again.noEndpoints).toBeUndefined();
  });
  it('copes with redundant messages: a repeated add refreshes metadata, unknown removes are ignored', () => {
    const s = apply(
      addMsg(['10.0.0.1', 80, 'old']),
      addMsg(['10.0.0.1', 80, 'new']),
      removeMsg(['10.9.9.9', 80]),
    );
    expect(addressesOf(s)).toHaveLength(1);
    expect(addressesOf(s)[0]?.labels['pod']).toBe('new');
  });
  it('sorts addresses numerically', () => {
    const s = apply(addMsg(['10.0.0.10', 80], ['10.0.0.9', 80], ['10.0.0.9', 70]));
    expect(addressesOf(s).map((a) => a.address)).toEqual(['10.0.0.9:70', '10.0.0.9:80', '10.0.0.10:80']);
  });
});
