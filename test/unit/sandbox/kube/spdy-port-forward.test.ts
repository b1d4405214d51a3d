import { createHash } from 'node:crypto';
import zlib from 'node:zlib';
import {
  parseHeaderBlock,
  SPDY_DICTIONARY,
  SpdyHeaderDecoder,
  SpdyHeaderEncoder,
} from '../../../../src/sandbox/kube/spdy-port-forward.js';

function rawBlock(headers: Record<string, string>): Buffer {
  const parts: Buffer[] = [Buffer.alloc(4)];
  parts[0]?.writeUInt32BE(Object.keys(headers).length, 0);
  for (const [k, v] of Object.entries(headers)) {
    for (const s of [k, v]) {
      const len = Buffer.alloc(4);
      len.writeUInt32BE(Buffer.byteLength(s), 0);
      parts.push(len, Buffer.from(s));
    }
  }
  return Buffer.concat(parts);
}

describe('SPDY port-forward codec', () => {
  it('builds the SPDY/3 header dictionary byte for byte', () => {
    expect(SPDY_DICTIONARY).toHaveLength(1423);
    expect(createHash('sha256').update(SPDY_DICTIONARY).digest('hex')).toBe(
      '51d27341373f923f3cd88e1eb7162aeaa3723d7585ff2399201dc06498407f02',
    );
  });

  it('decodes header blocks compressed as one zlib stream with the dictionary', () => {
    // What Go's spdy framer sends: one deflate stream, sync-flushed after each block.
    const deflate = zlib.createDeflate({ dictionary: SPDY_DICTIONARY });
    const chunks: Buffer[] = [];
    deflate.on('data', (c: Buffer) => chunks.push(c));
    const flushed = (block: Buffer): Promise<Buffer> =>
      new Promise((resolve) => {
        chunks.length = 0;
        deflate.write(block);
        deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => resolve(Buffer.concat(chunks)));
      });
    const decoder = new SpdyHeaderDecoder();
    return (async () => {
      const first = await flushed(rawBlock({ streamtype: 'error', port: '8086', requestid: '0' }));
      expect(decoder.decode(first).get('streamtype')).toEqual(['error']);
      const second = await flushed(rawBlock({ streamtype: 'data', port: '8086', requestid: '0' }));
      const headers = decoder.decode(second);
      expect(headers.get('streamtype')).toEqual(['data']);
      expect(headers.get('port')).toEqual(['8086']);
      deflate.close();
    })();
  });

  it('encodes header blocks any inflater reads, block after block', () => {
    const encoder = new SpdyHeaderEncoder();
    const a = encoder.encode({});
    const b = encoder.encode({ status: '200' });
    const all = zlib.inflateSync(Buffer.concat([a, b]), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    expect(parseHeaderBlock(all.subarray(0, 4)).size).toBe(0);
    expect(parseHeaderBlock(all.subarray(4)).get('status')).toEqual(['200']);
    // Each block ends with an empty stored block, as a sync flush does.
    expect([...a.subarray(-5)]).toEqual([0, 0, 0, 0xff, 0xff]);
  });
});
