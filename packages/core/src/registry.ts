import { RadcamError } from './errors.js';

/** Anything a registry holds: it has a namespaced id such as `ibsi/glcm` or `acme/lbp`. */
export interface RegistryItem {
  readonly id: string;
}

export interface RegisterOptions {
  /** Replace an item with the same id instead of throwing `E_REGISTRY_DUPLICATE`. */
  override?: boolean;
}

/** Removes what `register` added (and restores an overridden item). */
export type Disposer = () => void;

const ID_RE = /^[a-z0-9][a-z0-9._-]*\/[a-z0-9][a-z0-9._/-]*$/i;

/**
 * The one registry shape of radcam: feature extractors, file formats and CAM methods all use it.
 * Ids are namespaced (`namespace/name`). `register` returns a disposer; a duplicate id throws
 * unless `{ override: true }`.
 */
export class Registry<T extends RegistryItem> {
  readonly kind: string;
  readonly #items = new Map<string, T>();

  constructor(kind: string) {
    this.kind = kind;
  }

  register(item: T, options: RegisterOptions = {}): Disposer {
    if (!ID_RE.test(item.id)) {
      throw new RadcamError('E_INVALID_ARGUMENT', `invalid ${this.kind} id "${item.id}"`, {
        expected: 'a namespaced id such as "acme/lbp"',
        found: JSON.stringify(item.id),
      });
    }
    const previous = this.#items.get(item.id);
    if (previous && !options.override) {
      throw new RadcamError('E_REGISTRY_DUPLICATE', `${this.kind} "${item.id}" is already registered`, {
        expected: 'a new id, or { override: true }',
      });
    }
    this.#items.set(item.id, item);
    return () => {
      if (this.#items.get(item.id) !== item) return;
      if (previous) this.#items.set(item.id, previous);
      else this.#items.delete(item.id);
    };
  }

  has(id: string): boolean {
    return this.#items.has(id);
  }

  /** The item with `id`, or undefined. */
  find(id: string): T | undefined {
    return this.#items.get(id);
  }

  /** The item with `id`; throws `E_REGISTRY_UNKNOWN` listing the known ids otherwise. */
  get(id: string): T {
    const item = this.#items.get(id);
    if (!item) {
      throw new RadcamError('E_REGISTRY_UNKNOWN', `unknown ${this.kind} "${id}"`, {
        expected: `one of ${[...this.#items.keys()].join(', ') || '(none registered)'}`,
      });
    }
    return item;
  }

  list(): T[] {
    return [...this.#items.values()];
  }

  ids(): string[] {
    return [...this.#items.keys()];
  }
}

/**
 * A registry shared through a `Symbol.for` global, so two installed copies of a package see the
 * same items (like tfjs' `getGlobal('kernelRegistry')`).
 */
export function globalRegistry<T extends RegistryItem>(key: string, kind: string): Registry<T> {
  const sym = Symbol.for(`radcam.registry.${key}`);
  const g = globalThis as unknown as Record<symbol, Registry<T> | undefined>;
  let reg = g[sym];
  if (!reg) {
    reg = new Registry<T>(kind);
    g[sym] = reg;
  }
  return reg;
}
