/**
 * Marching cubes for binary masks (isovalue 0.5, vertices at edge midpoints), as IBSI 1 defines
 * the ROI mesh: the mask is padded by one empty voxel on every side so the mesh is closed.
 *
 * The triangle table is generated at module load from first principles instead of being typed
 * in: on each cube face the crossing edges are joined into oriented segments (inside corner on
 * the left seen from outside the cube; on ambiguous faces the two inside corners are separated),
 * the segments chain into loops, and each loop is fan-triangulated. Faces shared by two cubes get
 * the same decision, so the mesh is closed and consistently oriented.
 *
 * Only the quantities radiomics needs are accumulated (volume by the divergence theorem, surface
 * area); no vertex or face arrays are allocated.
 */

/** Corner c of the unit cube is at (c&1, (c>>1)&1, (c>>2)&1). */
const CORNER = (c: number, a: number): number => (c >> a) & 1;

/** The 12 cube edges as corner pairs. */
export const CUBE_EDGES: ReadonlyArray<readonly [number, number]> = (() => {
  const out: [number, number][] = [];
  for (let c = 0; c < 8; c++) for (let a = 0; a < 3; a++) if (!CORNER(c, a)) out.push([c, c | (1 << a)]);
  return out;
})();

function edgeIndex(c0: number, c1: number): number {
  for (let e = 0; e < 12; e++) {
    const [a, b] = CUBE_EDGES[e]!;
    if ((a === c0 && b === c1) || (a === c1 && b === c0)) return e;
  }
  throw new Error('not an edge');
}

/** Edge midpoint in unit-cube coordinates (each coordinate is 0, 0.5 or 1). */
function edgeMid(e: number): [number, number, number] {
  const [a, b] = CUBE_EDGES[e]!;
  return [(CORNER(a, 0) + CORNER(b, 0)) / 2, (CORNER(a, 1) + CORNER(b, 1)) / 2, (CORNER(a, 2) + CORNER(b, 2)) / 2];
}

/**
 * Ambiguous faces (two diagonal inside corners) are resolved by cutting off the OUTSIDE corners,
 * i.e. the two inside corners are connected across the face (diagonal ROI voxels joined). This
 * matches the IBSI consensus mesh volume of the digital phantom (556 mm³) better than the
 * alternative (553 mm³).
 */
const AMBIGUOUS_CUT_INSIDE = false;

function buildTable(): number[][][] {
  const table: number[][][] = [];
  // Faces: axis a, side s; corners in cyclic order over the two other axes.
  const faces: { corners: number[]; normal: [number, number, number] }[] = [];
  for (let a = 0; a < 3; a++) {
    const u = a === 0 ? 1 : 0;
    const v = a === 2 ? 1 : 2;
    for (let s = 0; s < 2; s++) {
      const base = s << a;
      const corners = [base, base | (1 << u), base | (1 << u) | (1 << v), base | (1 << v)];
      const normal: [number, number, number] = [0, 0, 0];
      normal[a] = s ? 1 : -1;
      faces.push({ corners, normal });
    }
  }
  for (let cs = 0; cs < 256; cs++) {
    const inside = (c: number) => ((cs >> c) & 1) === 1;
    const next = new Int8Array(12).fill(-1);
    for (const f of faces) {
      const k = f.corners;
      const cyc: number[] = []; // crossing edges in cycle order, with the cycle position
      const pos: number[] = [];
      for (let i = 0; i < 4; i++) {
        const c0 = k[i]!;
        const c1 = k[(i + 1) % 4]!;
        if (inside(c0) !== inside(c1)) {
          cyc.push(edgeIndex(c0, c1));
          pos.push(i);
        }
      }
      const segs: [number, number][] = [];
      if (cyc.length === 2) segs.push([cyc[0]!, cyc[1]!]);
      else if (cyc.length === 4) {
        // Ambiguous face: cut off each corner on the `cut` side separately (edges i-1 and i around corner i).
        for (let i = 0; i < 4; i++) {
          if (inside(k[i]!) === AMBIGUOUS_CUT_INSIDE) segs.push([edgeIndex(k[(i + 3) % 4]!, k[i]!), edgeIndex(k[i]!, k[(i + 1) % 4]!)]);
        }
      }
      for (const [e1, e2] of segs) {
        const p = edgeMid(e1);
        const q = edgeMid(e2);
        const a = CUBE_EDGES[e1]![0];
        const c = [CORNER(a, 0), CORNER(a, 1), CORNER(a, 2)];
        const d = [q[0] - p[0], q[1] - p[1], q[2] - p[2]];
        const w = [c[0]! - p[0], c[1]! - p[1], c[2]! - p[2]];
        const cr = [d[1]! * w[2]! - d[2]! * w[1]!, d[2]! * w[0]! - d[0]! * w[2]!, d[0]! * w[1]! - d[1]! * w[0]!];
        const dot = cr[0]! * f.normal[0] + cr[1]! * f.normal[1] + cr[2]! * f.normal[2];
        const forward = inside(a) ? dot > 0 : dot < 0;
        const [from, to] = forward ? [e1, e2] : [e2, e1];
        if (next[from] !== -1) throw new Error(`marching cubes table: edge ${from} used twice in case ${cs}`);
        next[from] = to;
      }
    }
    const loops: number[][] = [];
    const seen = new Uint8Array(12);
    for (let e = 0; e < 12; e++) {
      if (next[e] === -1 || seen[e]) continue;
      const loop: number[] = [];
      let cur = e;
      while (!seen[cur]) {
        seen[cur] = 1;
        loop.push(cur);
        cur = next[cur]!;
        if (cur < 0) throw new Error(`marching cubes table: open loop in case ${cs}`);
      }
      loops.push(loop);
    }
    table.push(loops);
  }
  return table;
}

/** Per case (8-bit corner mask), the oriented loops of crossed edges (edge indices). */
export const MC_LOOPS: readonly (readonly number[])[][] = buildTable();

/**
 * How the surface inside each cube is triangulated:
 * - `lewiner` (default): the triangulation of Lewiner et al.'s topologically consistent marching
 *   cubes (J. Graphics Tools 8(2), 2003) as implemented by scikit-image's `marching_cubes`, which
 *   the IBSI reference implementations use (MIRP pads the morphological mask and calls it at level
 *   0.5). For a binary mask every vertex is an edge midpoint or, in 24 ambiguous cases, the cube
 *   centre, so the algorithm reduces to a fixed table per corner configuration (`LEWINER_TABLE`).
 *   CT phantom, configuration C: volume 367 459 mm³, area 34 306 mm² (IBSI 367 000 ± 6000,
 *   34 300 ± 400; compactness and sphericity within their tight tolerances);
 * - `max-volume`: our loop-based table, every non-planar loop fanned to enclose the most volume
 *   (digital phantom 556.33 mm³ / 388.07 mm²; CT phantom sphericity misses the reference);
 * - `centroid`: adds the loop's mean point and fans around it (553.07 / 386.31 on the phantom);
 * - `fan`: fans from the loop's first vertex (553.00 / 387.68).
 */
export type LoopTriangulation = 'lewiner' | 'max-volume' | 'centroid' | 'fan';

/**
 * Lewiner marching-cubes triangles for binary corner values, per case (bit c set = corner c at
 * (c&1, (c>>1)&1, (c>>2)&1) inside), as hex digits: 0–b = `CUBE_EDGES` index (its midpoint),
 * c = cube centre; three digits per triangle, oriented as scikit-image emits them. Generated
 * by evaluating scikit-image 0.19.3 `measure.marching_cubes(vol, 0.5, method='lewiner')` on each
 * of the 256 binary 2×2×2 configurations (the tests check closure and orientation).
 */
export const LEWINER_TABLE: readonly string[] = (
  ',102,034,214413,651,652250,536346016064,345465426,573,307027157172,407705,571721742,163367,' +
  '023273267,160640674,642674,892,109908,483893203239,894934913,125285965958,659589508,' +
  '530403048082928291619165150,534548658968,892735,159795978387830,487978795259520,748178918715,' +
  '123832387978796,679709089730,012689864746,489649746,4a8,0414a182181a,03883a,2181a813a,4a8516,' +
  '68286a5a6a54045,a535a686a681018,3a8638268536,7a5a85435458,01510282048084a3a4a37573053,a87857805,' +
  '5711727a2a82,14341868186a7a6,430a87278726,80a06a67a601,7a8278672,4a22a9,4a0a10a91,0323923a9,' +
  '1a93a1,96a5a6a54145412,a960a6506a04,12065939593a,965395a93,97a795259523432,043a575a191a,' +
  '0525a2a9257a,157a1791a,96a7a6412143,7c6c3606360949094cca97acc43,7c671c170a070a2c2aa9cc9612c,' +
  '7a9796,b69,61b10b29b2b0,b69340,294b494b363b361,9b11b5,9b2b02b50,901094b494b353b,b59549429453,' +
  '563693b73b39,b7535753050121012696269b6b5,4b7b49094906560,6159b272b274,73b39b319,73bb39309029,' +
  '1909707409b7,29b72b427,b68862,1060b608b,20636063b4b3b48,8b6386136483,2818518b5,b0850b,' +
  '01234585458b,534854b58,256523832387b78,56173b0b3b08,520256487b78,4c745c541814186c688bccb756c,' +
  '312b328b23b7,b730b38b0,4c7c0717071b2b1b2cc8b48cc20,48b4b7,ab4b64984946,' +
  '048a848ab8b969b962126210208,ab363b360906098,8291b6b1a3a1,981418145a545ab,8294a0b0a0b5,' +
  'ab353b098901,ac3c8323832595259ccb5abcc98,b989b656b75b573a373a484ab8a,043615829b7a,7ab869685058,' +
  'b7a561829,b7a384839193,2987ab430,9c1cb171b170a070acc8098ccab,829ab7,b6a64a624,ab6a614a1041,' +
  '620a603a06ab,ab61a63a1,24a52ab5a125,04ab0a50b,ac3a0c0a2b2a2b1c1bb5cc5301c,ab5a53,7ab354645462,' +
  '6154307ab,2c62bcb2a0a2a07c7005cc56b7c,615b7a,4c2ca2b2a2b171b17cc3143cc7a,ab7430,201ab7,7ab,a7b,' +
  '1027ba,3707b0a40a0b,2a4a2b1b2b17371,75a51a6ba6a1,6b2a2b2a070a075,56b65101530503474347aba75b7,' +
  '5374bab46264,ba55a3,30a2a0a2b1b2b15,40a0ba05b,42a25a5ba215,ba6a16a31,2606a0a30a6b,ba66a1a41401,' +
  '6ba46a264,b97927728a78,1b9b1707170a8a0,820289b98ab8ba747a743034804,a487b393b391,' +
  '8ab7bab75b5616561929192898b,b96a78587850,53796b0128a4,96b375a48,38a832523259b95,38a830b95159,' +
  'a4809290b5b0,1c918c81454145aca55bccb98ac,96b281a181a3,3ca3bcb36063609c9008cc8ab9c,8a4b96012,' +
  '96b8a4,84bb47,704071b171b282b,7b3b03b80,1323b2b82b37,75414541868186b,82b6b2704075,375b161b080b,' +
  '6c2c5232523878387ccb86bcc75,3545845b8,430521258b85,0b805b,821581b85,b86836316843,' +
  '6c260c063b363b4c4bb8cc8204c,016b0680b,6b8682,92b27b247,910790470b97,37b3b9039209,37b93b139,' +
  'b96251527472,7c4cb494b49060906cc5075cc6b,537012b96,b96753,5b9459249543,' +
  '1c9c0949094b3b4b3cc5b15cc30,b920b25b0,b91b15,4c249c94b3b4b36c6331cc1296c,96b043,20196b,6b9,' +
  'a79976,61707170a2a0a29,637360906094a49,361637294a49,5171a719a,502a529a275a,37540a1a0a19,' +
  'ac9c7959795232523cc42a4cc37,6959359a3,561902093a39,9a6a060560a4,ac9a6c6a545a541c1442cc2961c,' +
  'a19a31,302932a39,a401a09a1,a42a29,a78728762,08a60a76a061,8a4703072627,' +
  '3c1c41814186a686acc7637cca4,751712a728a2,8a7587085,120a48375,48a375,a38368628356,' +
  '3cac5a6a5a6818681cc0830cc15,2c6c86a686a545a54cc0520cc48,8a4615,128a1831a,30838a,8a4201,a48,' +
  '849469476,298106460647,769079809370,3c132c238783879c9776cc6129c,478718198175,' +
  '7c478c879597952c2550cc0482c,9c195c597879783c3880cc0153c,298537,354458568698,043829561,569859058,' +
  '982615,984394193,298043,019098,982,462764,610460764,203723627,613637,751271472,047075,120537,' +
  '753,435645246,043156,562520,561,124143,304,012,'
).split(',');

function lewinerOffsets(): Float64Array[] {
  const mid = (d: number): [number, number, number] => (d === 12 ? [0.5, 0.5, 0.5] : edgeMid(d));
  return LEWINER_TABLE.map((code) => {
    const out: number[] = [];
    for (let t = 0; t + 2 < code.length; t += 3) {
      out.push(...mid(parseInt(code[t]!, 16)), ...mid(parseInt(code[t + 1]!, 16)), ...mid(parseInt(code[t + 2]!, 16)));
    }
    return Float64Array.from(out);
  });
}

function buildOffsets(mode: LoopTriangulation): Float64Array[] {
  return MC_LOOPS.map((loops) => {
    const out: number[] = [];
    for (const loop of loops) {
      const pts = loop.map(edgeMid);
      if (pts.length > 3 && mode === 'max-volume') {
        // Loops are oriented with inward normals, so the most enclosed volume is the most negative sum.
        let bestV = Infinity;
        let bestS = 0;
        for (let st = 0; st < pts.length; st++) {
          let v = 0;
          for (let i = 1; i + 1 < pts.length; i++) {
            const a = pts[st]!, b = pts[(st + i) % pts.length]!, c = pts[(st + i + 1) % pts.length]!;
            v += a[0] * (b[1] * c[2] - b[2] * c[1]) + a[1] * (b[2] * c[0] - b[0] * c[2]) + a[2] * (b[0] * c[1] - b[1] * c[0]);
          }
          if (v < bestV - 1e-12) { bestV = v; bestS = st; }
        }
        for (let i = 1; i + 1 < pts.length; i++) out.push(...pts[bestS]!, ...pts[(bestS + i) % pts.length]!, ...pts[(bestS + i + 1) % pts.length]!);
      } else if (pts.length === 3 || mode === 'fan') {
        for (let i = 1; i + 1 < pts.length; i++) out.push(...pts[0]!, ...pts[i]!, ...pts[i + 1]!);
      } else {
        const c = [0, 0, 0];
        for (const p of pts) for (let a = 0; a < 3; a++) c[a]! += p[a]! / pts.length;
        for (let i = 0; i < pts.length; i++) out.push(...c, ...pts[i]!, ...pts[(i + 1) % pts.length]!);
      }
    }
    return Float64Array.from(out);
  });
}

/** Per case, triangle vertex coordinates in unit-cube units (flat: tri × 3 vertices × xyz). */
const MC_OFFSETS: Record<LoopTriangulation, Float64Array[]> = {
  lewiner: lewinerOffsets(),
  'max-volume': buildOffsets('max-volume'),
  centroid: buildOffsets('centroid'),
  fan: buildOffsets('fan'),
};

export interface MeshMeasures {
  /** Mesh volume (mm³), |Σ a·(b×c)/6|. */
  volume: number;
  /** Mesh surface area (mm²). */
  area: number;
  /** Signed volume (positive: outward normals). */
  signedVolume: number;
  /** Number of triangles. */
  faces: number;
}

/**
 * Volume and surface area of the marching-cubes mesh of a binary mask given as a dense
 * Uint8Array `m` of size `n = [nx, ny, nz]` that ALREADY has a one-voxel empty border
 * (so every surface is closed). `spacing` scales index units to mm.
 */
export function meshMeasures(
  m: Uint8Array,
  n: readonly [number, number, number],
  spacing: readonly [number, number, number],
  triangulation: LoopTriangulation = 'lewiner',
): MeshMeasures {
  const table = MC_OFFSETS[triangulation];
  const [nx, ny, nz] = n;
  const [sx, sy, sz] = spacing;
  const sxy = nx * ny;
  let vol6 = 0;
  let area2 = 0;
  let faces = 0;
  for (let k = 0; k + 1 < nz; k++) {
    for (let j = 0; j + 1 < ny; j++) {
      let idx = j * nx + k * sxy;
      for (let i = 0; i + 1 < nx; i++, idx++) {
        const c =
          (m[idx]! ? 1 : 0) |
          (m[idx + 1]! ? 2 : 0) |
          (m[idx + nx]! ? 4 : 0) |
          (m[idx + nx + 1]! ? 8 : 0) |
          (m[idx + sxy]! ? 16 : 0) |
          (m[idx + sxy + 1]! ? 32 : 0) |
          (m[idx + sxy + nx]! ? 64 : 0) |
          (m[idx + sxy + nx + 1]! ? 128 : 0);
        if (c === 0 || c === 255) continue;
        const off = table[c]!;
        for (let t = 0; t < off.length; t += 9) {
          const ax = (i + off[t]!) * sx, ay = (j + off[t + 1]!) * sy, az = (k + off[t + 2]!) * sz;
          const bx = (i + off[t + 3]!) * sx, by = (j + off[t + 4]!) * sy, bz = (k + off[t + 5]!) * sz;
          const cx = (i + off[t + 6]!) * sx, cy = (j + off[t + 7]!) * sy, cz = (k + off[t + 8]!) * sz;
          // signed volume a·(b×c)
          vol6 += ax * (by * cz - bz * cy) + ay * (bz * cx - bx * cz) + az * (bx * cy - by * cx);
          const ux = bx - ax, uy = by - ay, uz = bz - az;
          const vx = cx - ax, vy = cy - ay, vz = cz - az;
          const crx = uy * vz - uz * vy, cry = uz * vx - ux * vz, crz = ux * vy - uy * vx;
          area2 += Math.sqrt(crx * crx + cry * cry + crz * crz);
          faces++;
        }
      }
    }
  }
  return { volume: Math.abs(vol6) / 6, area: area2 / 2, faces, signedVolume: -vol6 / 6 };
}
