/** Batch progress on stderr: a bar redrawn in place on a terminal (count, rate, ETA), plain lines every few seconds otherwise. */

const clock = (s: number): string => {
  if (!Number.isFinite(s)) return '--:--';
  const m = Math.floor(s / 60), h = Math.floor(m / 60);
  return h ? `${h}:${String(m % 60).padStart(2, '0')}:${String(Math.floor(s % 60)).padStart(2, '0')}` : `${m}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
};

export class Progress {
  #done = 0;
  #errors = 0;
  #last = 0;
  readonly #start = performance.now();

  constructor(private readonly total: number, private readonly write: (s: string) => void, private readonly tty: boolean, private readonly every = 5000,
    private readonly verb = 'classify') {}

  get done(): number { return this.#done; }
  get errors(): number { return this.#errors; }
  get seconds(): number { return (performance.now() - this.#start) / 1000; }

  /** One image finished (with an error or not). */
  tick(error: boolean): void {
    this.#done++;
    if (error) this.#errors++;
    const now = performance.now();
    if (this.#done === this.total || now - this.#last >= (this.tty ? 100 : this.every)) {
      this.#last = now;
      this.write(this.tty ? `\r${this.#line(true)}` : `${this.#line(false)}\n`);
    }
  }

  #line(bar: boolean): string {
    const rate = this.#done / Math.max(this.seconds, 1e-3), eta = (this.total - this.#done) / rate;
    const errors = this.#errors ? `, ${this.#errors} error${this.#errors > 1 ? 's' : ''}` : '';
    const stats = `${this.#done}/${this.total} images, ${rate.toFixed(1)}/s, ETA ${clock(eta)}${errors}`;
    if (!bar) return `${this.verb}: ${stats}`;
    const width = 24, full = this.total ? Math.round((width * this.#done) / this.total) : width;
    return `[${'#'.repeat(full)}${'.'.repeat(width - full)}] ${stats}  `;
  }

  /** Ends the bar's line (a terminal) before the summary. */
  end(): void {
    if (this.tty && this.#done) this.write('\n');
  }
}
