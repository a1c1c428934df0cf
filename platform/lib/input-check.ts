// What no request may carry, whatever its route's schema says: objects and arrays nested deeper than
// MAX_INPUT_DEPTH, strings (values or keys) with a NUL character or an unpaired UTF-16 surrogate
// (PostgreSQL cannot store either in text or jsonb: SQLSTATE 22021 / 22P05), and numbers too large
// for a double (JSON's 1e400 parses as Infinity). The walk is iterative, so a body nested 100,000
// levels is refused without recursing on it (JSON.parse itself does not recurse in V8).
// Input: a parsed value (body, querystring, params). Output: the first problem found, or undefined.

/** Levels of objects and arrays a request may nest, counted from the top of the body (docs/api.md). */
const MAX_INPUT_DEPTH = 32;

type Frame = { value: unknown; depth: number; parent: Frame | undefined; key: string };

/** The path of a frame, `events[3].attributes.a` (bounded: a problem deep inside is still one line). */
function pathOf(frame: Frame | undefined): string {
  const keys: string[] = [];
  for (let f = frame; f?.parent !== undefined; f = f.parent) keys.push(f.key);
  const shown = keys.reverse().slice(0, 8).map((key) => (/^\d+$/.test(key) ? `[${key}]` : `.${key.length > 40 ? `${key.slice(0, 40)}...` : key}`)).join('');
  return (keys.length > 8 ? `${shown}...` : shown).replace(/^\./, '');
}

/** A high surrogate not followed by a low one, or a low one not preceded by a high one (code units). */
const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Either of the two, cheaply: most strings have neither, and one scan says so. */
const SUSPECT = /[\u0000\uD800-\uDFFF]/;

function badString(text: string): string | undefined {
  if (!SUSPECT.test(text)) return undefined;
  if (text.includes('\u0000')) return 'holds a NUL character (\\u0000)';
  if (UNPAIRED_SURROGATE.test(text)) return 'holds an unpaired UTF-16 surrogate (not valid Unicode)';
  return undefined;
}

/** True when something in `value` is a problem: the fast pass, no paths, no allocation per value. */
function hasProblem(value: unknown, maxDepth: number): boolean {
  const values: unknown[] = [value];
  const depths: number[] = [0];
  while (values.length > 0) {
    const current = values.pop();
    const depth = (depths.pop() ?? 0) + 1;
    if (typeof current === 'string') {
      if (badString(current) !== undefined) return true;
    } else if (typeof current === 'number') {
      if (!Number.isFinite(current)) return true;
    } else if (typeof current === 'object' && current !== null) {
      if (depth > maxDepth) return true;
      if (Array.isArray(current)) {
        for (const item of current as unknown[]) {
          values.push(item);
          depths.push(depth);
        }
      } else {
        const record = current as Record<string, unknown>;
        for (const key of Object.keys(record)) {
          if (badString(key) !== undefined) return true;
          values.push(record[key]);
          depths.push(depth);
        }
      }
    }
  }
  return false;
}

/** The slow pass, once a problem is known to be there: which one, and where. */
function describeProblem(value: unknown, part: string, maxDepth: number): string | undefined {
  const stack: Frame[] = [{ value, depth: 0, parent: undefined, key: '' }];
  for (let frame = stack.pop(); frame !== undefined; frame = stack.pop()) {
    const where = (): string => {
      const at = pathOf(frame);
      return at === '' ? part : `${part} field ${at}`;
    };
    const current = frame.value;
    if (typeof current === 'string') {
      const problem = badString(current);
      if (problem !== undefined) return `${where()} ${problem}`;
    } else if (typeof current === 'number') {
      if (!Number.isFinite(current)) return `${where()} is a number too large to represent`;
    } else if (typeof current === 'object' && current !== null) {
      const depth = frame.depth + 1;
      if (depth > maxDepth) return `${part} is nested deeper than ${maxDepth} levels`;
      const entries: Array<[string, unknown]> = Array.isArray(current)
        ? current.map((item: unknown, index) => [String(index), item])
        : Object.entries(current);
      for (const [key, item] of entries) {
        const problem = Array.isArray(current) ? undefined : badString(key);
        if (problem !== undefined) return `${where()} has a key that ${problem}`;
        stack.push({ value: item, depth, parent: frame, key });
      }
    }
  }
  return undefined;
}

/**
 * The first problem in `value`, as one line naming where it is (`part` names the request part:
 * body, querystring, params), or undefined when there is none.
 */
export function inputProblem(value: unknown, part: string, maxDepth: number = MAX_INPUT_DEPTH): string | undefined {
  return hasProblem(value, maxDepth) ? describeProblem(value, part, maxDepth) : undefined;
}
