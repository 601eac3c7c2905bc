// How a path on an SCP command line names a place in the home folder: relative to the
// home (the remote shell's working directory in OpenSSH), "~" and "~/x" as the home
// itself, an absolute path from the home's root (the jail: nothing above it).

export function homePath(path: string): string {
  if (path === '' || path === '~') return '/';
  if (path.startsWith('~/')) return path.slice(1);
  return path;
}

/** Joins a folder's virtual path and one record name. */
export function childPath(folder: string, name: string): string {
  return folder === '/' ? `/${name}` : `${folder}/${name}`;
}
