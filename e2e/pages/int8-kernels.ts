// Runs tests/int8-check.ts in the page on each kernel path the browser validates; the test reads window.result.
import { availablePaths, Kernels } from '../../sdk/src/int8/kernels.ts';
import { checkKernels } from '../../tests/int8-check.ts';

(async () => {
  const out: Record<string, string[]> = {};
  for (const path of await availablePaths()) out[path] = checkKernels(await Kernels.create(path));
  (window as unknown as { result: unknown }).result = { paths: await availablePaths(), fails: out };
})().catch((e) => { (window as unknown as { result: unknown }).result = { error: String(e) }; });
