/** The converter's in-memory view of a model: float32 tensors and the ResNet's layers before folding. */
export interface Tensor { shape: number[]; data: Float32Array }

export interface BatchNorm { gamma: Float32Array; beta: Float32Array; mean: Float32Array; variance: Float32Array; eps: number }

/** One convolution as found in the source, with the BatchNorm that follows it (unless already folded). */
export interface SourceConv { weight: Tensor; bias?: Float32Array; bn?: BatchNorm; stride: number; where: string }

export interface SourceBlock { convs: SourceConv[]; shortcut?: SourceConv }

/** A ResNet read from ONNX or a state dict, in forward order, not yet folded or quantized. */
export interface SourceResnet {
  stem: SourceConv;
  maxPool: boolean;
  blocks: SourceBlock[];
  fc: { weight: Tensor; bias: Float32Array };
}

export const numel = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);
