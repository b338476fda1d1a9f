/**
 * The marching-cubes mesh PyRadiomics builds for its 3D shape features (`radiomics/src/cshape.c`),
 * reproduced triangle for triangle so that MeshVolume and SurfaceArea match PyRadiomics.
 *
 * What PyRadiomics does (and this module reproduces):
 * - the ROI box is padded with one empty voxel on every side; every 2×2×2 cube of the padded
 *   grid is classified by its 8 corners (corner k at (x, y, z) = (k∈{1,2,5,6}, k∈{2,3,6,7}, k≥4),
 *   i.e. Lorensen & Cline / Bourke numbering, x the fastest image axis);
 * - vertices are edge midpoints, placed in physical space as (cube index + offset) × spacing with
 *   the origin at the first voxel of the padded box (this matters: the mesh is not always closed,
 *   see below, so the signed-tetrahedra volume depends on the origin);
 * - configurations with corner 7 inside are replaced by their complement, so only 128
 *   configurations have a triangulation and a complement uses the same triangles with the
 *   volume sign flipped. Ambiguous faces are therefore resolved
 *   differently in a configuration and its complement, and the mesh can have small holes;
 * - the triangulation of the 128 configurations is Bourke's classic table (P. Bourke,
 *   "Polygonising a scalar field", 1994; table by C. G. Bloyd, public domain) in which PyRadiomics
 *   re-triangulated the configurations made of several separate pieces so that each piece is
 *   triangulated as in the configuration holding that piece alone — except configuration 58
 *   (corners 1, 3, 4, 5), which keeps Bourke's triangles (PyRadiomics also splits the planar
 *   square of configuration 51 along the other diagonal: same area and volume);
 * - SurfaceArea = Σ ½‖(a − c) × (b − c)‖ and MeshVolume = Σ a·(b × c) / 6 over the triangles,
 *   oriented with the normal pointing out of the ROI;
 * - the diameters are the largest distances between mesh vertices (one per grid edge joining an
 *   ROI and a non-ROI voxel).
 *
 * The table below stores only Bourke's geometry (which edge midpoints form each triangle); the
 * PyRadiomics re-triangulation and the triangle orientation are derived at module load.
 */

/**
 * Bourke's triangle table, configurations 0…127 (bit k set ⇔ corner k is inside): each triangle
 * is three hexadecimal edge numbers (edge 0 = corners 0–1, 1 = 1–2, 2 = 2–3, 3 = 3–0, 4 = 4–5,
 * 5 = 5–6, 6 = 6–7, 7 = 7–4, 8 = 0–4, 9 = 1–5, a = 2–6, b = 3–7).
 */
const BOURKE_LOWER: readonly string[] = [
  '', '083', '019', '183981', '12a', '08312a', '92a029', '2832a8a98',
  '3b2', '0b28b0', '19023b', '1b219b98b', '3a1ba3', '0a108a8ba', '3903b9ba9', '98aa8b',
  '478', '430734', '019847', '419471731', '12a847', '34730412a', '92a902847', '2a9297273794',
  '8473b2', 'b47b24204', '90184723b', '47b94b9b2921', '3a13ba784', '1ba14b1047b4', '47890b9bab03', '47b4b99ba',
  '954', '954083', '054150', '854835315', '12a954', '30812a495', '52a542402', '2a5325354348',
  '95423b', '0b208b495', '05401523b', '21525828b485', 'a3ba13954', '4950818a18ba', '54050b5bab03', '54858aa8b',
  '978579', '930953573', '078017157', '153357', '978957a12', 'a12950530573', '802825857a52', '2a5253357',
  '7957893b2', '95797292027b', '23b018178157', 'b21b17715', '958857a13a3b', '5705097b010aba0', 'ba0b03a50807570', 'ba57b5',
  'a65', '0835a6', '9015a6', '1831985a6', '165261', '165126308', '965906026', '598582526328',
  '23ba65', 'b08b20a65', '01923b5a6', '5a61929b298b', '63b653513', '08b0b50515b6', '3b6036065059', '65969bb98',
  '5a6478', '43047365a', '1905a6847', 'a65197173794', '612651478', '125526304347', '847905065026', '739794329596269',
  '3b2784a65', '5a647242027b', '01947823b5a6', '9219b294b7b45a6', '8473b53515b6', '51b5b610b7b404b', '059065036b63847', '65969b4797b9',
  'a4964a', '4a649a083', 'a01a60640', '83181686461a', '149124264', '308129249264', '024426', '832824426',
  'a49a64b23', '08228b49a4a6', '3b201606461a', '64161a48121b8b1', '964936913b63', '8b1810b61914641', '3b6360064', '648b68',
  '7a678a89a', '0730a709a67a', 'a671a7178180', 'a67a71173', '126168189867', '269291679093739', '780706602', '732672',
  '23ba68a89867', '20727b09767a9a7', '1801781a767a23b', 'b21b17a61671', '896867916b63136', '091b67', '7807063b0b60', '7b6',
];

/** Configurations in which PyRadiomics kept Bourke's triangles although they have several pieces. */
const KEEP_BOURKE = new Set([58]);

/** Corner k of the unit cube. */
const CX: readonly number[] = [0, 1, 1, 0, 0, 1, 1, 0];
const CY: readonly number[] = [0, 0, 1, 1, 0, 0, 1, 1];
const CZ: readonly number[] = [0, 0, 0, 0, 1, 1, 1, 1];
/** Edge e joins corners EA[e] and EB[e]. */
const EA: readonly number[] = [0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3];
const EB: readonly number[] = [1, 2, 3, 0, 5, 6, 7, 4, 4, 5, 6, 7];
/** Edge midpoints in unit-cube coordinates. */
const MX = Float64Array.from(EA, (a, e) => (CX[a]! + CX[EB[e]!]!) / 2);
const MY = Float64Array.from(EA, (a, e) => (CY[a]! + CY[EB[e]!]!) / 2);
const MZ = Float64Array.from(EA, (a, e) => (CZ[a]! + CZ[EB[e]!]!) / 2);

/** Maximum triangles per cube configuration. */
const MAX_TRI = 5;

function parseTriangles(code: string): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < code.length; i += 3) out.push([0, 1, 2].map((k) => parseInt(code[i + k]!, 16)));
  return out;
}

/** 12-bit mask of the edges whose corners differ in configuration c. */
function cutMask(c: number): number {
  let m = 0;
  for (let e = 0; e < 12; e++) if (((c >> EA[e]!) & 1) !== ((c >> EB[e]!) & 1)) m |= 1 << e;
  return m;
}

/** Pieces of a cube's surface: triangles grouped by shared vertices, with their edge masks. */
function pieces(tris: number[][]): Array<{ mask: number; tris: number[][] }> {
  const out: Array<{ mask: number; tris: number[][] }> = [];
  for (const t of tris) {
    const m = (1 << t[0]!) | (1 << t[1]!) | (1 << t[2]!);
    const merged = { mask: m, tris: [t] };
    for (let i = out.length - 1; i >= 0; i--) {
      if (out[i]!.mask & merged.mask) {
        merged.mask |= out[i]!.mask;
        merged.tris.push(...out[i]!.tris);
        out.splice(i, 1);
      }
    }
    out.push(merged);
  }
  return out;
}

/**
 * Triangle table for all 256 configurations, oriented with the normal out of the ROI:
 * `TRI[c * 15 + 3t + k]`, `TRI_COUNT[c]` triangles.
 */
const { TRI, TRI_COUNT } = (() => {
  const bourke = BOURKE_LOWER.map(parseTriangles);
  const byCut = new Map<number, number>();
  for (let c = 1; c < 128; c++) byCut.set(cutMask(c), c);
  const lower: number[][][] = bourke.map((tris, c) => {
    const ps = pieces(tris);
    if (ps.length < 2 || KEEP_BOURKE.has(c)) return tris;
    const rebuilt: number[][] = [];
    for (const p of ps) {
      const alone = byCut.get(p.mask);
      if (alone === undefined || pieces(bourke[alone]!).length !== 1) throw new Error(`marching cubes table: piece of ${c} has no single-piece configuration`);
      rebuilt.push(...bourke[alone]!);
    }
    return rebuilt;
  });
  const tri = new Int8Array(256 * 3 * MAX_TRI);
  const count = new Uint8Array(256);
  for (let c = 1; c < 255; c++) {
    const tris = lower[c & 0x80 ? c ^ 0xff : c]!;
    count[c] = tris.length;
    tris.forEach((t, i) => {
      const [a, b, d] = t as [number, number, number];
      // normal of (a, b, d) · Σ (outside corner − inside corner) over the three edges
      const ux = MX[b]! - MX[a]!, uy = MY[b]! - MY[a]!, uz = MZ[b]! - MZ[a]!;
      const vx = MX[d]! - MX[a]!, vy = MY[d]! - MY[a]!, vz = MZ[d]! - MZ[a]!;
      const nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx;
      let s = 0;
      for (const e of t) {
        const sign = (c >> EA[e]!) & 1 ? 1 : -1; // corner EA inside → direction EA → EB points out
        s += sign * (nx * (CX[EB[e]!]! - CX[EA[e]!]!) + ny * (CY[EB[e]!]! - CY[EA[e]!]!) + nz * (CZ[EB[e]!]! - CZ[EA[e]!]!));
      }
      if (s === 0) throw new Error(`marching cubes table: degenerate orientation in configuration ${c}`);
      const o = c * 3 * MAX_TRI + 3 * i;
      tri[o] = a;
      tri[o + 1] = s > 0 ? b : d;
      tri[o + 2] = s > 0 ? d : b;
    });
  }
  return { TRI: tri, TRI_COUNT: count };
})();

/** Triangles of a cube configuration (bit k ⇔ corner k inside) as edge-number triples, outward oriented. */
export function pyradiomicsCubeTriangles(config: number): Array<[number, number, number]> {
  const out: Array<[number, number, number]> = [];
  for (let t = 0; t < TRI_COUNT[config]!; t++) {
    const o = config * 3 * MAX_TRI + 3 * t;
    out.push([TRI[o]!, TRI[o + 1]!, TRI[o + 2]!]);
  }
  return out;
}

/** MeshVolume (mm³) and SurfaceArea (mm²) of PyRadiomics' mesh. */
export interface PyradiomicsMesh {
  volume: number;
  area: number;
}

/**
 * PyRadiomics' marching-cubes volume and surface area of a binary mask.
 *
 * @param padded mask (non-zero = ROI), x fastest, of size `size`; it must already carry the empty
 *   one-voxel border PyRadiomics adds (the ROI box padded by 1), and its first voxel is the origin
 * @param spacing voxel size (x, y, z) in mm
 */
export function pyradiomicsMesh(padded: Uint8Array, size: readonly [number, number, number], spacing: readonly [number, number, number]): PyradiomicsMesh {
  const [px, py, pz] = size;
  const [sx, sy, sz] = spacing;
  const off = new Int32Array(8);
  for (let k = 0; k < 8; k++) off[k] = CX[k]! + px * (CY[k]! + py * CZ[k]!);
  const vx = new Float64Array(12), vy = new Float64Array(12), vz = new Float64Array(12);
  let area = 0, vol6 = 0;
  for (let z = 0; z + 1 < pz; z++) {
    for (let y = 0; y + 1 < py; y++) {
      const row = px * (y + py * z);
      for (let x = 0; x + 1 < px; x++) {
        const p = row + x;
        let c = 0;
        for (let k = 0; k < 8; k++) if (padded[p + off[k]!]) c |= 1 << k;
        const nt = TRI_COUNT[c]!;
        if (nt === 0) continue;
        for (let e = 0; e < 12; e++) {
          vx[e] = (x + MX[e]!) * sx;
          vy[e] = (y + MY[e]!) * sy;
          vz[e] = (z + MZ[e]!) * sz;
        }
        const base = c * 3 * MAX_TRI;
        for (let t = 0; t < nt; t++) {
          const a = TRI[base + 3 * t]!, b = TRI[base + 3 * t + 1]!, d = TRI[base + 3 * t + 2]!;
          const ax = vx[a]!, ay = vy[a]!, az = vz[a]!;
          const bx = vx[b]!, by = vy[b]!, bz = vz[b]!;
          const cx = vx[d]!, cy = vy[d]!, cz = vz[d]!;
          // signed tetrahedron (origin, a, b, c)
          vol6 += cx * (ay * bz - az * by) + cy * (az * bx - ax * bz) + cz * (ax * by - ay * bx);
          // triangle area from the edge vectors a − c, b − c
          const ux = ax - cx, uy = ay - cy, uz = az - cz;
          const wx = bx - cx, wy = by - cy, wz = bz - cz;
          const nx = uy * wz - uz * wy, ny = uz * wx - ux * wz, nz = ux * wy - uy * wx;
          area += 0.5 * Math.sqrt(nx * nx + ny * ny + nz * nz);
        }
      }
    }
  }
  return { volume: vol6 / 6, area };
}
