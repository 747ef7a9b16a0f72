/**
 * A DOM class's instance type by name where the project has the DOM library, `never` where it has not: so that the
 * published types name ImageBitmap, HTMLImageElement… for web apps and still type-check in a Node-only project.
 */
export type Dom<K extends string> = typeof globalThis extends { [P in K]: { prototype: infer T } } ? T : never;
