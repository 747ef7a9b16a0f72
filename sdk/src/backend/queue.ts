/**
 * tfjs has one active backend per page, and a backend that starts while another is starting makes the first
 * one fail. Everything that starts, switches or runs a backend takes turns here.
 */
let tail: Promise<unknown> = Promise.resolve();

export function exclusive<T>(work: () => Promise<T>): Promise<T> {
  const run = tail.then(work);
  tail = run.catch(() => undefined);
  return run;
}
