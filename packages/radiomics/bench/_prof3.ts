import { createRng } from '@radcam/core';
import { buildTextureGrid } from '../src/texture/index.js';
const SX = 112, SY = 112, SZ = 84; const n = SX*SY*SZ;
const rng = createRng(1); const levels = new Int32Array(n); const mask = new Uint8Array(n);
for (let z=0,p=0;z<SZ;z++) for (let y=0;y<SY;y++) for (let x=0;x<SX;x++,p++){ const u=((x-56)/50)**2+((y-56)/50)**2+((z-42)/38)**2; if(u<=1){mask[p]=1; levels[p]=1+rng.int(32);} }
for (let r=0;r<8;r++){ const t=performance.now(); buildTextureGrid(levels,[SX,SY,SZ],32,{pad:1,morphMask:mask,roiMask:mask}); console.log((performance.now()-t).toFixed(1)); }
