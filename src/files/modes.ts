// Modes a client may give a file or folder in a home (FTP SITE CHMOD, SFTP SETSTAT, SCP
// C/D records). The data directory is owner-only (README, Security), so only the owner's
// bits are taken, and never below what the server itself needs: a file stays readable
// and writable (0600 at least), a folder stays 0700, so nothing can hide from the quota
// walk or lock its owner out.

/** The mode to give a file for the client's requested one. */
export function fileMode(requested: number): number {
  return (requested & 0o700) | 0o600;
}

/** The mode to give a folder, whatever the client asked. */
export function folderMode(_requested: number): number {
  return 0o700;
}
