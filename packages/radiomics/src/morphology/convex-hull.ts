/**
 * 3D convex hull (Quickhull with conflict lists) for points with INTEGER coordinates, where all
 * orientation tests are exact in double precision (|coordinate| < 2^16). Coplanar points are
 * never hull vertices; coplanar hull facets are returned triangulated.
 */

export interface ConvexHull {
  /** Triangles as vertex-index triples into the input points, outward oriented. */
  faces: Int32Array;
  /** Distinct hull vertex indices. */
  vertices: Int32Array;
}

/**
 * Convex hull of `n` points stored as xyz triples in `pts`. Returns `null` when the points are
 * coplanar (no 3D hull).
 */
export function convexHull3D(pts: Float64Array, n: number): ConvexHull | null {
  if (n < 4) return null;
  const X = (i: number) => pts[3 * i]!;
  const Y = (i: number) => pts[3 * i + 1]!;
  const Z = (i: number) => pts[3 * i + 2]!;
  // --- initial simplex -------------------------------------------------------------------
  const ext = [0, 0, 0, 0, 0, 0];
  for (let i = 1; i < n; i++) {
    if (X(i) < X(ext[0]!)) ext[0] = i;
    if (X(i) > X(ext[1]!)) ext[1] = i;
    if (Y(i) < Y(ext[2]!)) ext[2] = i;
    if (Y(i) > Y(ext[3]!)) ext[3] = i;
    if (Z(i) < Z(ext[4]!)) ext[4] = i;
    if (Z(i) > Z(ext[5]!)) ext[5] = i;
  }
  let p0 = -1, p1 = -1, best = -1;
  for (let a = 0; a < 6; a++) for (let b = a + 1; b < 6; b++) {
    const i = ext[a]!, j = ext[b]!;
    const d = (X(i) - X(j)) ** 2 + (Y(i) - Y(j)) ** 2 + (Z(i) - Z(j)) ** 2;
    if (d > best) { best = d; p0 = i; p1 = j; }
  }
  if (best <= 0) return null;
  const ux = X(p1) - X(p0), uy = Y(p1) - Y(p0), uz = Z(p1) - Z(p0);
  let p2 = -1; best = 0;
  for (let i = 0; i < n; i++) {
    const vx = X(i) - X(p0), vy = Y(i) - Y(p0), vz = Z(i) - Z(p0);
    const cx = uy * vz - uz * vy, cy = uz * vx - ux * vz, cz = ux * vy - uy * vx;
    const d = cx * cx + cy * cy + cz * cz;
    if (d > best) { best = d; p2 = i; }
  }
  if (p2 < 0) return null;
  const wx = X(p2) - X(p0), wy = Y(p2) - Y(p0), wz = Z(p2) - Z(p0);
  const nx0 = uy * wz - uz * wy, ny0 = uz * wx - ux * wz, nz0 = ux * wy - uy * wx;
  let p3 = -1; best = 0;
  for (let i = 0; i < n; i++) {
    const d = Math.abs(nx0 * (X(i) - X(p0)) + ny0 * (Y(i) - Y(p0)) + nz0 * (Z(i) - Z(p0)));
    if (d > best) { best = d; p3 = i; }
  }
  if (p3 < 0) return null;

  // --- face storage ----------------------------------------------------------------------
  const fa: number[] = [], fb: number[] = [], fc: number[] = [];
  const fnx: number[] = [], fny: number[] = [], fnz: number[] = [], fd: number[] = [];
  const alive: boolean[] = [];
  const outside: (number[] | null)[] = [];
  const edges = new Map<number, number>();
  const key = (a: number, b: number) => a * n + b;

  const addFace = (a: number, b: number, c: number): number => {
    const id = fa.length;
    const e1x = X(b) - X(a), e1y = Y(b) - Y(a), e1z = Z(b) - Z(a);
    const e2x = X(c) - X(a), e2y = Y(c) - Y(a), e2z = Z(c) - Z(a);
    const nx = e1y * e2z - e1z * e2y, ny = e1z * e2x - e1x * e2z, nz = e1x * e2y - e1y * e2x;
    fa.push(a); fb.push(b); fc.push(c);
    fnx.push(nx); fny.push(ny); fnz.push(nz); fd.push(nx * X(a) + ny * Y(a) + nz * Z(a));
    alive.push(true);
    outside.push(null);
    edges.set(key(a, b), id); edges.set(key(b, c), id); edges.set(key(c, a), id);
    return id;
  };
  const dist = (f: number, i: number) => fnx[f]! * X(i) + fny[f]! * Y(i) + fnz[f]! * Z(i) - fd[f]!;

  // Orient the tetrahedron so p3 is below face (p0,p1,p2).
  const s = nx0 * (X(p3) - X(p0)) + ny0 * (Y(p3) - Y(p0)) + nz0 * (Z(p3) - Z(p0));
  const init: [number, number, number][] = s < 0
    ? [[p0, p1, p2], [p0, p3, p1], [p1, p3, p2], [p2, p3, p0]]
    : [[p0, p2, p1], [p0, p1, p3], [p1, p2, p3], [p2, p0, p3]];
  const initIds = init.map(([a, b, c]) => addFace(a, b, c));
  const assign = (cands: ArrayLike<number>, faceIds: number[], skip: number) => {
    for (let t = 0; t < cands.length; t++) {
      const i = cands[t]!;
      if (i === skip) continue;
      for (const f of faceIds) {
        if (dist(f, i) > 0) {
          (outside[f] ??= []).push(i);
          break;
        }
      }
    }
  };
  const all: number[] = [];
  for (let i = 0; i < n; i++) if (i !== p0 && i !== p1 && i !== p2 && i !== p3) all.push(i);
  assign(all, initIds, -1);

  // --- main loop ---------------------------------------------------------------------------
  const visible: number[] = [];
  const stack: number[] = [];
  const mark = new Map<number, boolean>();
  for (let f = 0; f < fa.length; f++) {
    if (!alive[f]) continue;
    const out = outside[f];
    if (!out || out.length === 0) continue;
    let eye = out[0]!, far = dist(f, eye);
    for (let t = 1; t < out.length; t++) {
      const d = dist(f, out[t]!);
      if (d > far) { far = d; eye = out[t]!; }
    }
    // visible faces by flood fill
    visible.length = 0;
    mark.clear();
    stack.push(f);
    mark.set(f, true);
    while (stack.length) {
      const g = stack.pop()!;
      visible.push(g);
      const vs = [fa[g]!, fb[g]!, fc[g]!];
      for (let e = 0; e < 3; e++) {
        const a = vs[e]!, b = vs[(e + 1) % 3]!;
        const h = edges.get(key(b, a));
        if (h === undefined || mark.has(h)) continue;
        const vis = dist(h, eye) > 0;
        mark.set(h, vis);
        if (vis) stack.push(h);
      }
    }
    // horizon edges: edges of visible faces whose twin is not visible
    const horizon: number[] = [];
    for (const g of visible) {
      const vs = [fa[g]!, fb[g]!, fc[g]!];
      for (let e = 0; e < 3; e++) {
        const a = vs[e]!, b = vs[(e + 1) % 3]!;
        const h = edges.get(key(b, a));
        if (h === undefined || mark.get(h) !== true) horizon.push(a, b);
      }
    }
    const orphans: number[] = [];
    for (const g of visible) {
      alive[g] = false;
      const vs = [fa[g]!, fb[g]!, fc[g]!];
      for (let e = 0; e < 3; e++) {
        const k = key(vs[e]!, vs[(e + 1) % 3]!);
        if (edges.get(k) === g) edges.delete(k);
      }
      const o = outside[g];
      if (o) for (const i of o) orphans.push(i);
      outside[g] = null;
    }
    const newIds: number[] = [];
    for (let t = 0; t < horizon.length; t += 2) newIds.push(addFace(horizon[t]!, horizon[t + 1]!, eye));
    assign(orphans, newIds, eye);
  }
  const faceList: number[] = [];
  const vset = new Set<number>();
  for (let f = 0; f < fa.length; f++) {
    if (!alive[f]) continue;
    faceList.push(fa[f]!, fb[f]!, fc[f]!);
    vset.add(fa[f]!); vset.add(fb[f]!); vset.add(fc[f]!);
  }
  return { faces: Int32Array.from(faceList), vertices: Int32Array.from(vset) };
}
