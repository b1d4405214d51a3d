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
  /** Text not yet handed on: in `items`, from the start of the item being read; else the envelope's. */
  let text = '';
  /** Where scanning resumes in `text`. */
  let pos = 0;
  /** The envelope's text so far, `items` elements left out. */
  let rest = '';
  let restFrom = 0;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let stringStart = -1;
  /** The last string read at depth 1 (a key, when a colon follows). */
  let lastKey = '';
  let keyPending = '';
  let inItems = false;
  let itemStart = -1;

  function scan(): void {
    const n = text.length;
    for (let i = pos; i < n; i++) {
      const c = text.charCodeAt(i);
      if (inString) {
        if (escaped) escaped = false;
        else if (c === BACKSLASH) escaped = true;
        else if (c === QUOTE) {
          inString = false;
          if (depth === 1 && !inItems) keyPending = text.slice(stringStart + 1, i);
        }
        continue;
      }
      if (c === QUOTE) {
        inString = true;
        stringStart = i;
      } else if (c === COLON) {
        if (depth === 1) lastKey = keyPending;
      } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        depth += 1;
        if (depth === 2 && c === OPEN_BRACKET && lastKey === 'items' && !inItems) {
          inItems = true;
          rest += text.slice(restFrom, i + 1);
        } else if (inItems && depth === 3) {
          itemStart = i;
        }
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        depth -= 1;
        if (inItems && depth === 2 && itemStart >= 0) {
          onItem(JSON.parse(text.slice(itemStart, i + 1)));
          itemStart = -1;
        } else if (inItems && depth === 1) {
          inItems = false;
          restFrom = i;
        }
      }
    }
    // While in `items`, keep only the item being read (the envelope outside is small: kept whole).
    if (inItems) {
      text = itemStart >= 0 ? text.slice(itemStart) : '';
      if (itemStart >= 0) itemStart = 0;
    }
    pos = text.length;
  }

  return {
    write(chunk) {
      text += chunk;
      scan();
    },
    end() {
      if (inItems || depth !== 0) throw new SyntaxError('Unexpected end of JSON input');
      return JSON.parse(rest + text.slice(restFrom)) as Record<string, unknown>;
    },
  };
}
