import { createListStream } from '../../../../src/sandbox/destination/list-stream.js';

function read(text: string, chunkSize: number): { envelope: Record<string, unknown>; items: unknown[] } {
  const items: unknown[] = [];
  const stream = createListStream((item) => items.push(item));
  for (let i = 0; i < text.length; i += chunkSize) stream.write(text.slice(i, i + chunkSize));
  return { envelope: stream.end(), items };
}

describe('createListStream', () => {
  const list = {
    kind: 'PodList',
    apiVersion: 'v1',
    metadata: { resourceVersion: '42', note: 'a "quoted" [bracket] {brace} \\ value' },
    items: [
      {
        metadata: { name: 'a', labels: { 'x"]}': '{[' } },
        spec: { containers: [{ name: 'c', args: ['[', ']'] }] },
      },
      { metadata: { name: 'b' }, status: { podIP: '10.1.0.2', conditions: [] } },
      { metadata: { name: 'ü-\u00e9' }, data: 'line\nbreak\\' },
    ],
  };
  const text = JSON.stringify(list);

  it.each([1, 2, 3, 7, 64, text.length])('reads every item and the envelope in chunks of %i', (size) => {
    const { envelope, items } = read(text, size);
    expect(items).toEqual(list.items);
    expect(envelope).toEqual({ ...list, items: [] });
  });

  it('reads items that come before the metadata, and pretty-printed text', () => {
    const reordered = JSON.stringify(
      { items: list.items, metadata: list.metadata, kind: 'PodList' },
      null,
      2,
    );
    const { envelope, items } = read(reordered, 5);
    expect(items).toEqual(list.items);
    expect(envelope).toEqual({ items: [], metadata: list.metadata, kind: 'PodList' });
  });

  it('reads an empty list', () => {
    expect(read('{"kind":"PodList","items":[],"metadata":{}}', 4)).toEqual({
      envelope: { kind: 'PodList', items: [], metadata: {} },
      items: [],
    });
  });

  it('throws on text that ends too soon or is not JSON', () => {
    expect(() => read(text.slice(0, text.length - 10), 8)).toThrow(SyntaxError);
    expect(() => read('{"items":[{"a":}]}', 8)).toThrow(SyntaxError);
  });
});
