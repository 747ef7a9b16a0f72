declare module 'exifr/dist/mini.esm.mjs' {
  /** EXIF orientation tag (1–8) of an image, or undefined when it has none. */
  export function orientation(data: Uint8Array | ArrayBuffer | Blob): Promise<number | undefined>;
}
