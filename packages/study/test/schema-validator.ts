/**
 * A small JSON-Schema (2020-12 subset) validator for the tests: type, const, enum, required,
 * properties, additionalProperties, items, minItems, minimum, maximum, oneOf, allOf and local
 * `$ref`s (`#/$defs/…`). Unknown keywords are an error, so the schema cannot silently use more.
 */
type Schema = Record<string, unknown>;

const KNOWN = new Set([
  '$schema', '$id', '$defs', 'title', 'description', 'type', 'const', 'enum', 'required', 'properties',
  'additionalProperties', 'items', 'minItems', 'minimum', 'maximum', 'oneOf', 'allOf', '$ref',
]);

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

export function validateSchema(root: Schema, doc: unknown): string[] {
  const errors: string[] = [];
  const resolveRef = (ref: string): Schema => {
    if (!ref.startsWith('#/')) throw new Error(`unsupported $ref ${ref}`);
    let node: unknown = root;
    for (const part of ref.slice(2).split('/')) node = (node as Record<string, unknown>)[part];
    if (!node) throw new Error(`unresolved $ref ${ref}`);
    return node as Schema;
  };
  const check = (s: Schema, v: unknown, path: string): void => {
    for (const k of Object.keys(s)) if (!KNOWN.has(k)) throw new Error(`schema keyword ${k} not supported (at ${path})`);
    if (s.$ref) check(resolveRef(s.$ref as string), v, path);
    if (s.type !== undefined) {
      const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
      const t = typeOf(v);
      if (!types.some((x) => x === t || (x === 'number' && t === 'integer'))) errors.push(`${path}: expected ${types.join('|')}, found ${t}`);
    }
    if ('const' in s && JSON.stringify(s.const) !== JSON.stringify(v)) errors.push(`${path}: expected ${JSON.stringify(s.const)}`);
    if (s.enum && !(s.enum as unknown[]).some((e) => JSON.stringify(e) === JSON.stringify(v))) errors.push(`${path}: ${JSON.stringify(v)} not in enum`);
    if (typeof v === 'number') {
      if (typeof s.minimum === 'number' && v < s.minimum) errors.push(`${path}: ${v} < ${s.minimum}`);
      if (typeof s.maximum === 'number' && v > s.maximum) errors.push(`${path}: ${v} > ${s.maximum}`);
    }
    if (Array.isArray(v)) {
      if (typeof s.minItems === 'number' && v.length < s.minItems) errors.push(`${path}: fewer than ${s.minItems} items`);
      if (s.items) v.forEach((x, i) => check(s.items as Schema, x, `${path}[${i}]`));
    }
    if (typeOf(v) === 'object') {
      const o = v as Record<string, unknown>;
      for (const r of (s.required as string[] | undefined) ?? []) if (!(r in o)) errors.push(`${path}: missing ${r}`);
      const props = (s.properties as Record<string, Schema> | undefined) ?? {};
      for (const [k, x] of Object.entries(o)) {
        if (props[k]) check(props[k]!, x, `${path}.${k}`);
        else if (s.additionalProperties === false) errors.push(`${path}: unexpected property ${k}`);
        else if (typeof s.additionalProperties === 'object') check(s.additionalProperties as Schema, x, `${path}.${k}`);
      }
    }
    if (s.allOf) for (const sub of s.allOf as Schema[]) check(sub, v, path);
    if (s.oneOf) {
      const ok = (s.oneOf as Schema[]).filter((sub) => {
        const before = errors.length;
        check(sub, v, path);
        const pass = errors.length === before;
        errors.length = before;
        return pass;
      }).length;
      if (ok !== 1) errors.push(`${path}: matches ${ok} of oneOf`);
    }
  };
  check(root, doc, '$');
  return errors;
}
