import type { BackendName } from './choose.js';

/** A classifier moved to another backend by itself (WebGPU lost or failing): from where, to where, and why. */
export interface BackendChange { from: BackendName; to: BackendName; reason: string }
