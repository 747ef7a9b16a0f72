/** The pack format, for tools that read or write packs (the converter). Not needed to classify. */
export * from './pack/index.js';
export { IMAGENET_LABELS } from './labels/imagenet.js';
export { CIFAR10_LABELS } from './labels/cifar10.js';
