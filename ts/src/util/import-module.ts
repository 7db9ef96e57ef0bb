// import() of what dist's bundle leaves out (packages, a compiled strategy), as a function: the bundle runs
// in a vm.Script, whose own import() Node 20 refuses, so scripts/bundle.mjs binds this to its loader's import().

/** The module namespace of `specifier` (a package name or an absolute URL). */
export function importModule<T = Record<string, unknown>>(specifier: string): Promise<T> {
  return import(specifier) as Promise<T>;
}
