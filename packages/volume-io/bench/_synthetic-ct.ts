/** Synthetic CT volume shared by the io benchmarks (deterministic, seed 42; '_' = not a bench itself). */
import { createRng, type Volume } from '@radcam/core';

/** CT-like content: air outside an elliptical body, soft tissue, two lungs, a spine, Gaussian noise. */
export function syntheticCt(NX: number, NY: number, NZ: number): Volume<Int16Array> {
  const rng = createRng(42);
  const data = new Int16Array(NX * NY * NZ);
  const noise = new Float32Array(4096 * 4);
  for (let i = 0; i < noise.length; i++) noise[i] = rng.normal();
  let p = 0;
  for (let z = 0; z < NZ; z++) {
    for (let y = 0; y < NY; y++) {
      const v = (y - NY / 2) / (NY * 0.36);
      for (let x = 0; x < NX; x++, p++) {
        const u = (x - NX / 2) / (NX * 0.44);
        const r = u * u + v * v;
        let hu = -1000;
        let sd = 8;
        if (r < 1) {
          hu = 40; sd = 18;
          const lu = ((x - NX * 0.33) / (NX * 0.13)) ** 2 + ((y - NY * 0.45) / (NY * 0.2)) ** 2;
          const ru = ((x - NX * 0.67) / (NX * 0.13)) ** 2 + ((y - NY * 0.45) / (NY * 0.2)) ** 2;
          if (lu < 1 || ru < 1) { hu = -820; sd = 40; }
          const sp = ((x - NX / 2) / (NX * 0.04)) ** 2 + ((y - NY * 0.7) / (NY * 0.04)) ** 2;
          if (sp < 1) { hu = 700; sd = 60; }
        }
        data[p] = Math.round(hu + sd * noise[(p * 7 + z * 13) & (noise.length - 1)]!);
      }
    }
  }
  return { data, size: [NX, NY, NZ], spacing: [0.7, 0.7, 1.5], origin: [-179, -179, -150], direction: Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1) };
}

