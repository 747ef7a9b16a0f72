// Teach mode: name a label, add the photo on show (or the camera's frame) as its example, and the classifier answers
// with your labels — nearest example (k 1) on the model's embeddings, all in the page (resnet-edge's knn()).
import type { Classifier, ImageInput, KnnClassifier, Prediction } from 'resnet-edge';
import { $, showError } from './view.ts';

let knn: KnnClassifier | undefined;
let taughtOn: Classifier | undefined;

/** Whether classify() should answer with the taught labels. */
export const teaching = (): boolean => ($('teach-mode') as HTMLInputElement).checked && (knn?.labels.length ?? 0) > 0;

export function classifyTaught(input: ImageInput): Promise<Prediction[]> {
  return knn!.classify(input);
}

function showCounts(): void {
  const counts = knn?.counts ?? {};
  $('teach-counts').replaceChildren(...Object.entries(counts).map(([label, n]) => {
    const li = document.createElement('li');
    li.textContent = `${label}: ${n} example${n > 1 ? 's' : ''}`;
    return li;
  }));
  document.body.dataset.examples = String(Object.values(counts).reduce((a, b) => a + b, 0));
}

/** Adds `input` (the photo on show, or the camera) as an example of the label typed in #teach-label. */
export async function addExample(clf: Classifier | undefined, input: ImageInput | undefined): Promise<void> {
  const label = ($('teach-label') as HTMLInputElement).value.trim();
  if (!clf || !input || !label) {
    showError(new Error(!label ? 'Type a label first.' : 'Drop or pick a photo (or turn on the camera) first.'));
    return;
  }
  if (taughtOn !== clf) [knn, taughtOn] = [clf.knn({ k: 1 }), clf]; // a new model: its embeddings differ, start again
  try {
    await knn!.addExample(input, label);
    showCounts();
  } catch (e) {
    showError(e);
  }
}

export function forget(): void {
  knn = undefined;
  taughtOn = undefined;
  showCounts();
}
