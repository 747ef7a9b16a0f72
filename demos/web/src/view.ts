// What the demos show: the backend and every reason, the top-5 as bars, an error. Shared by the web demo and the
// Electron demo's renderer, which have the same page elements (ids below).
import type { Classifier, LoadOptions, Prediction } from 'resnet-edge';

export const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export function showError(e: unknown): void {
  const err = e as { name?: string; code?: string; message?: string };
  $('error').textContent = `${err.name ?? 'Error'}${err.code ? ` [${err.code}]` : ''}: ${err.message ?? String(e)}`;
  $('error').hidden = false;
}

/** #backend, #model-name and one #reasons li per backend tried, with why it was taken or passed over. */
export function showBackend(c: Classifier): void {
  $('backend').textContent = c.backend;
  $('model-name').textContent = `· ${c.model.name} (${c.model.dtype}, ${c.model.labels.length} classes)`;
  $('reasons').replaceChildren(...c.diagnostics.map((d) => {
    const li = document.createElement('li');
    li.className = d.ok ? 'ok' : 'no';
    li.dataset.backend = d.backend;
    li.textContent = `${d.backend}: ${d.reason}`;
    return li;
  }));
}

/** The top-5 as bars in #results, the latency in #latency; counts classifications in body[data-classified]. */
export function showResults(top: Prediction[], ms: number, backend: string): void {
  $('results').replaceChildren(...top.map((p) => {
    const li = document.createElement('li');
    li.dataset.label = p.label;
    li.dataset.probability = String(p.probability);
    const pct = `${(p.probability * 100).toFixed(1)} %`;
    li.innerHTML = '<div class="label"><span></span><span></span></div><div class="bar"><div class="fill"></div></div>';
    const [name, value] = li.querySelectorAll('span');
    name.textContent = p.label;
    value.textContent = pct;
    (li.querySelector('.fill') as HTMLElement).style.width = `${Math.max(0.5, p.probability * 100)}%`;
    return li;
  }));
  $('latency').textContent = `${ms.toFixed(1)} ms on ${backend}`;
  document.body.dataset.classified = String(Number(document.body.dataset.classified ?? 0) + 1);
}

/** load() callbacks: progress in #progress and #phase; a move to another backend in #banner and the reasons. */
export function loadCallbacks(current: () => Classifier | undefined): Pick<LoadOptions, 'onProgress' | 'onBackendChange'> {
  return {
    onProgress: (p) => {
      ($('progress') as HTMLProgressElement).value = p.fraction;
      $('phase').textContent = p.phase;
    },
    onBackendChange: (e) => {
      $('banner').textContent = `Moved from ${e.from} to ${e.to}: ${e.reason}`;
      $('banner').hidden = false;
      const c = current();
      if (c) showBackend(c);
    },
  };
}

/** Makes #drop a drop zone: `onFile` gets the first dropped file. */
export function dropZone(onFile: (file: File) => void): void {
  const drop = $('drop');
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const file = e.dataTransfer?.files[0];
    if (file) onFile(file);
  });
}
