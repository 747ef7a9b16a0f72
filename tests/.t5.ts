import { Kernels } from '../sdk/src/int8/kernels.ts';
import { checkKernels } from './int8-check.ts';
for (const p of ['simd', 'relaxed'] as const) { try { const K = await Kernels.create(p); const f = checkKernels(K); console.log(p, f.length, f.slice(0, 6)); } catch (e) { console.log(p, (e as Error).message); } }
