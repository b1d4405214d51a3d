/**
 * Reads a Kubernetes list response (`{"kind":...,"metadata":{...},"items":[...]}`) as it
 * arrives, handing each item to `onItem` as soon as its text is complete. A list of 10,000
 * pods is about 45 MB of JSON: read whole, the body's buffers, its string and every parsed pod
 * are alive at once (well over 200 MB for a moment); read this way, one item at a time.
 *
 * The scanner follows JSON's strings (with escapes) and nesting only; each item (an object, as
 * a list's items are), and the rest of the envelope (with `items` left empty), is parsed by
 * JSON.parse, which reports bad JSON.
 */
export interface ListStream {
  /** Feeds the next chunk of the response text. */
  write(chunk: string): void;
  /** The envelope (with `items: []`) once the whole text was fed. @throws SyntaxError on bad JSON. */
  end(): Record<string, unknown>;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COLON = 0x3a;

export function createListStream(onItem: (item: unknown) => void): ListStream {
  // Each chunk is scanned as it is (a flat string: fast to read character by character); an
  // item split across chunks is kept as parts, joined once it is complete.
  /** The envelope's text so far, `items` elements left out. */
  let rest = '';
  let depth = 0;
  let inString = false;
  let escaped = false;
  /** A string at depth 1 begun in an earlier chunk: its text so far. */
  let keyPrefix = '';
  /** The last string read at depth 1 (a key, when a colon follows). */
  let keyPending = '';
  let lastKey = '';
  let inItems = false;
  /** The parts of the item being read that came in earlier chunks. */
  let itemParts: string[] = [];
  let inItem = false;

  function scan(chunk: string): void {
    const n = chunk.length;
    let restFrom = inItems ? -1 : 0;
    let itemFrom = inItem ? 0 : -1;
    // Where the string being read began in this chunk (its quote), or -1: it began in an earlier one.
    let stringFrom = -1;
    for (let i = 0; i < n; i++) {
      const c = chunk.charCodeAt(i);
      if (inString) {
        if (escaped) escaped = false;
        else if (c === BACKSLASH) escaped = true;
        else if (c === QUOTE) {
          inString = false;
          if (depth === 1 && !inItems) keyPending = keyPrefix + chunk.slice(stringFrom + 1, i);
          keyPrefix = '';
        }
        continue;
      }
      if (c === QUOTE) {
        inString = true;
        stringFrom = i;
      } else if (c === COLON) {
        if (depth === 1) lastKey = keyPending;
      } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        depth += 1;
        if (depth === 2 && c === OPEN_BRACKET && lastKey === 'items' && !inItems) {
          inItems = true;
          rest += chunk.slice(restFrom, i + 1);
          restFrom = -1;
        } else if (inItems && depth === 3) {
          inItem = true;
          itemFrom = i;
        }
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        depth -= 1;
        if (inItem && depth === 2) {
          const tail = chunk.slice(itemFrom, i + 1);
          const text = itemParts.length > 0 ? itemParts.join('') + tail : tail;
          itemParts = [];
          inItem = false;
          itemFrom = -1;
          onItem(JSON.parse(text));
        } else if (inItems && depth === 1) {
          inItems = false;
          restFrom = i;
        }
      }
    }
    if (inItem) itemParts.push(chunk.slice(itemFrom));
    if (restFrom >= 0) rest += chunk.slice(restFrom);
    // A string at depth 1 still open (a key or value of the envelope): keep what came of it.
    if (inString && depth === 1 && !inItems) keyPrefix += chunk.slice(stringFrom + 1);
  }

  return {
    write(chunk) {
      scan(chunk);
    },
    end() {
      if (inItems || depth !== 0) throw new SyntaxError('Unexpected end of JSON input');
      return JSON.parse(rest) as Record<string, unknown>;
    },
  };
}
