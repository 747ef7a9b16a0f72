/** CIFAR-10 class names in index order. */
export const CIFAR10_LABELS: readonly string[] = Object.freeze([
  'airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck',
]);
