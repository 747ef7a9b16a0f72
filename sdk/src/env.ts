/** Whether this code runs in Node (file paths, node: modules) rather than a browser or worker. */
export const isNode = (): boolean => typeof process !== 'undefined' && !!process.versions?.node;
