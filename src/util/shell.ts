/** A command line as a POSIX shell reads it: each argument quoted only when it needs to be. */
function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`;
}

export function formatCommand(command: string, args: readonly string[]): string {
  return [command, ...args].map(quote).join(" ");
}
