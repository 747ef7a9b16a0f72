// Runs tests/int8-check.ts in the page on each kernel path the browser validates (the relaxed path in both dot
// forms) and reports the start-up probe's choice; the test reads window.result.
import { availablePaths, forceDotForm, Kernels, probeDotFormOnce } from '../../sdk/src/int8/kernels.ts';
import { checkKernels } from '../../tests/int8-check.ts';

(async () => {
  const paths = await availablePaths(), probe = (await probeDotFormOnce()) ?? null;
  const out: Record<string, string[]> = {};
  for (const path of paths) {
    if (path === 'simd') out[path] = checkKernels(await Kernels.create(path));
    else {
      for (const form of ['fused', 'paired'] as const) {
        forceDotForm(form);
        out[`${path} ${form}`] = checkKernels(await Kernels.create(path));
      }
    }
  }
  (window as unknown as { result: unknown }).result = { paths, probe, fails: out };
})().catch((e) => { (window as unknown as { result: unknown }).result = { error: String(e) }; });
