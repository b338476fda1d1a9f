// TypeDoc plugin (loaded by the root typedoc.json): names each entry-point module after the
// import specifier users write (`@radcam/core`, `@radcam/core/testing`, …) instead of its path
// (`core/src`, `core/src/testing`). Sources are not touched.
import { Converter, ReflectionKind } from 'typedoc';

/** `core/src` → `@radcam/core`; `radiomics/src/conformance` → `@radcam/radiomics/conformance`. */
export function moduleNameFor(name) {
  const m = /^([a-z-]+)\/src(?:\/([a-z-]+))?$/.exec(name);
  if (!m) return name;
  return m[2] ? `@radcam/${m[1]}/${m[2]}` : `@radcam/${m[1]}`;
}

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const mod of context.project.getReflectionsByKind(ReflectionKind.Module)) {
      if (mod.parent === context.project) mod.name = moduleNameFor(mod.name);
    }
  });
}
